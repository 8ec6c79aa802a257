// Command genactions writes procedures/actions_gen.go from the stripe-go v76 module sources (and
// stripe-mock's OpenAPI spec for required parameters). Run it with `go generate ./procedures`.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stripesql/stripesql/procedures/internal/actiongen"
)

func main() {
	out := flag.String("o", "actions_gen.go", "output file")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "genactions:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	stripeDir, err := actiongen.ModuleDir(wd, actiongen.StripeGoModule)
	if err != nil {
		return err
	}
	spec := ""
	if mockDir, err := actiongen.ModuleDir(wd, actiongen.StripeMockModule); err == nil {
		spec = filepath.Join(mockDir, "embedded", "openapi", "spec3.json")
	}
	src, _, err := actiongen.Generate(stripeDir, spec)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
