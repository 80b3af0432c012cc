// Command huella finds traces of mercenary spyware in phone evidence.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/huella-project/huella/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
