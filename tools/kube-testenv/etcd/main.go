// Command etcd is the upstream etcd server, unchanged, built as a Go module so integration
// tests can give kube-apiserver a real store without containers.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
