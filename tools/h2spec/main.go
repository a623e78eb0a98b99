// Command h2spec is summerwind/h2spec's conformance suite for HTTP/2 servers, built as a Go module so
// the gateway's HTTP/2 conformance test runs it on machines without h2spec. The suite is the
// upstream package, unchanged; this file replaces only upstream's cobra front end (cmd/h2spec) with
// the standard flag package, keeping its flag names, so the binary needs no CLI dependency.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/summerwind/h2spec"
	"github.com/summerwind/h2spec/config"
)

func main() {
	host := flag.String("h", "127.0.0.1", "target host")
	port := flag.Int("p", 0, "target port")
	path := flag.String("P", "/", "target path")
	timeout := flag.Int("o", 2, "seconds to wait for each test case")
	maxHeaderLen := flag.Int("max-header-length", 4000, "maximum length of an HTTP header")
	junitReport := flag.String("j", "", "path for a JUnit test report")
	strict := flag.Bool("S", false, "run the strict test cases too")
	dryRun := flag.Bool("dryrun", false, "print only the titles of the test cases")
	tls := flag.Bool("t", false, "connect over TLS")
	insecure := flag.Bool("k", false, "do not verify the server's certificate")
	verbose := flag.Bool("v", false, "verbose log")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: h2spec [flags] [spec...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if *port == 0 {
		if *tls {
			*port = 443
		} else {
			*port = 80
		}
	}
	success, err := h2spec.Run(&config.Config{
		Host:         *host,
		Port:         *port,
		Path:         *path,
		Timeout:      time.Duration(*timeout) * time.Second,
		MaxHeaderLen: *maxHeaderLen,
		JUnitReport:  *junitReport,
		Strict:       *strict,
		DryRun:       *dryRun,
		TLS:          *tls,
		Insecure:     *insecure,
		Verbose:      *verbose,
		Sections:     flag.Args(),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "h2spec: %s\n", err)
		os.Exit(2)
	}
	if !success {
		os.Exit(1)
	}
}
