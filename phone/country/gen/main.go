// Command gen writes package country's table of calling codes from the
// numbering plan of github.com/nyaruka/phonenumbers (package plangen): run
// `go generate ./phone/country` (or `go run ./phone/country/gen` from the
// repository's root) after upgrading phonenumbers; a test fails until then.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/country/internal/plangen"
)

func main() {
	out := flag.String("o", "phone/country/callingcodes.go", "the file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	t, err := plangen.Derive()
	if err != nil {
		return err
	}
	src, err := t.Source()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		return err
	}
	fmt.Printf("gen: %s: %d calling codes, %d prefixes\n", out, len(t.Codes), len(t.Prefixes))
	return nil
}
