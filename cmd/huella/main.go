// Command huella finds traces of mercenary spyware in phone evidence.
package main

import (
	"os"

	"github.com/huella-project/huella/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
