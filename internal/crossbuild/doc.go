// Package crossbuild holds no code, only a test: the whole module
// (tests included) must compile and pass go vet for every system gorun
// supports, not only the Linux that runs the tests. The README's single
// test command then fails when a change breaks macOS or Windows.
package crossbuild

// Targets are the GOOS/GOARCH pairs checked by compiling, beside the
// linux/amd64 that runs the tests.
var Targets = []string{"darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64", "linux/arm64"}
