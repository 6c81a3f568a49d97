package mem_test

import (
	"testing"

	"github.com/cognito-phone-otp/cognito-phone-otp/store/mem"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return mem.New(nil) })
}

func TestClaimsConformance(t *testing.T) {
	storetest.RunClaims(t, func(t *testing.T) storetest.Claims { return mem.New(nil) })
}

func TestResendsConformance(t *testing.T) {
	storetest.RunResends(t, func(t *testing.T) storetest.Resends { return mem.New(nil) })
}
