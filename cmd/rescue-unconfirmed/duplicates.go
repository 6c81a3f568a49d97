package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"

	"github.com/cognito-phone-otp/cognito-phone-otp/phone"
	"github.com/cognito-phone-otp/cognito-phone-otp/userpool"
)

// spelling only writes numbers in E.164: whether a number may get a code is
// not this report's business.
var spelling = phone.Policy{AllowVoIP: true}

// listDuplicates reports the users whose phone_number is not in canonical
// E.164, grouped by the number they stand for, and the numbers more than
// one user holds: accounts registered before PreSignUp required the
// canonical form. It changes nothing.
func listDuplicates(ctx context.Context, pool *userpool.Pool, poolID string, stdout io.Writer, log *slog.Logger) int {
	users, err := pool.UsersWithPhone(ctx, poolID)
	if err != nil {
		log.Error("list users", "pool_id", poolID, "err", err)
		return exitFailed
	}
	groups := map[string][]userpool.User{}
	for _, u := range users {
		key := u.Phone
		if n, err := phone.Parse(spelling, u.Phone); err == nil {
			key = n.E164
		}
		groups[key] = append(groups[key], u)
	}
	numbers, odd := 0, 0
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		us := groups[key]
		bad := slices.IndexFunc(us, func(u userpool.User) bool { return u.Phone != key }) >= 0
		if len(us) < 2 && !bad {
			continue
		}
		numbers++
		slices.SortFunc(us, func(a, b userpool.User) int { return cmp.Compare(a.Username, b.Username) })
		fmt.Fprintf(stdout, "number %s: %d user(s)\n", phone.Mask(key), len(us))
		for _, u := range us {
			note := ""
			if u.Phone != key {
				odd++
				note = "  (not canonical E.164)"
			}
			fmt.Fprintf(stdout, "  %s%s\n", describe(u), note)
		}
	}
	fmt.Fprintf(stdout, "summary: %d user(s) with a phone number; %d number(s) held by more than one user or not in canonical form; %d user(s) not in canonical form; nothing was changed\n",
		len(users), numbers, odd)
	return exitOK
}
