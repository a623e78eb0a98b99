// Command kubectl is the upstream Kubernetes CLI, unchanged, built as a Go module so tests can
// run `kubectl apply --dry-run=server` and `kubectl kustomize` on machines without kubectl.
// The same as kubernetes' cmd/kubectl/kubectl.go.
package main

import (
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"

	_ "k8s.io/client-go/plugin/pkg/client/auth" // client auth plugins (exec, OIDC), as in the upstream binary
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		// Pretty-print the error and exit with an error.
		util.CheckErr(err)
	}
}
