// h2spec for the gateway's HTTP/2 conformance test, built from its Go module.
//
// The Go module proxy serves summerwind/h2spec only as v2.2.1+incompatible (its later tags carry a
// go.mod without /v2 and are not served). It has 145 default test cases, as in issue 10.
module isthmus.dev/tools/h2spec

go 1.26.0

require github.com/summerwind/h2spec v2.2.1+incompatible

require (
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	golang.org/x/net v0.63.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)
