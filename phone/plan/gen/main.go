// Command gen writes package plan's tables from the numbering plan of
// github.com/nyaruka/phonenumbers (package metagen): run
// `go generate ./phone/plan` (or `go run ./phone/plan/gen` from the
// repository's root) after upgrading phonenumbers; a test fails until then.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone/plan/internal/metagen"
)

func main() {
	out := flag.String("o", "phone/plan/metadata.go", "the file to write")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	p, err := metagen.Derive()
	if err != nil {
		return err
	}
	src, err := p.Source()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		return err
	}
	fmt.Printf("gen: %s: %d calling codes, %d territories, %d patterns\n", out, len(p.CallingCodes), len(p.Territories), len(p.Patterns))
	return nil
}
