package mem_test

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/storetest"
)

func TestLedgerConformance(t *testing.T) {
	storetest.RunLedger(t, func(t *testing.T) storetest.Ledger {
		l, err := mem.NewLedger(storetest.LedgerConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}
