package idp

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"
)

// User statuses (UserStatusType) the local pool uses.
const (
	statusConfirmed   = "CONFIRMED"
	statusUnconfirmed = "UNCONFIRMED"
	statusForceChange = "FORCE_CHANGE_PASSWORD"
)

// Attribute names with a meaning here.
const (
	attrSub           = "sub"
	attrPhone         = "phone_number"
	attrPhoneVerified = "phone_number_verified"
)

var (
	errNoUser      = errors.New("user does not exist")
	errPhoneExists = errors.New("phone number already in use")
)

// user is one profile. In a pool with phone_number as username attribute
// the username is a generated UUID (also the sub) and the phone number is
// the alias people sign in with.
type user struct {
	Username   string
	Attributes map[string]string
	Status     string
	Enabled    bool
	Created    time.Time
	Modified   time.Time
	confirm    confirmation // the pending sign-up code, if any
	seq        int64        // creation order; ListUsers pages resume after one
}

func (u user) clone() user {
	u.Attributes = maps.Clone(u.Attributes)
	return u
}

// Users is the pool's user directory, by username and by phone number. It
// also stands in for the pool's admin API where a trigger calls it.
type Users struct {
	now     func() time.Time
	mu      sync.Mutex
	byName  map[string]*user
	byPhone map[string]string // phone -> username
	order   []string          // usernames in creation order, for ListUsers pages
	seq     int64             // last seq given
}

// NewUsers returns an empty directory; now defaults to time.Now.
func NewUsers(now func() time.Time) *Users {
	if now == nil {
		now = time.Now
	}
	return &Users{now: now, byName: map[string]*user{}, byPhone: map[string]string{}}
}

// lookup finds a user by username or by phone number, and returns a copy.
func (d *Users) lookup(name string) (user, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.find(name)
	if u == nil {
		return user{}, false
	}
	return u.clone(), true
}

func (d *Users) find(name string) *user {
	if u, ok := d.byName[name]; ok {
		return u
	}
	if n, ok := d.byPhone[name]; ok {
		return d.byName[n]
	}
	return nil
}

// add stores a new user; the phone number must be free.
func (d *Users) add(u user) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, taken := d.byPhone[u.Attributes[attrPhone]]; taken {
		return errPhoneExists
	}
	u = u.clone()
	d.seq++
	u.seq = d.seq
	d.byName[u.Username] = &u
	d.byPhone[u.Attributes[attrPhone]] = u.Username
	d.order = append(d.order, u.Username)
	return nil
}

// update applies fn to the user named name (username or phone) under the
// lock, keeps the phone index right, and returns the result.
func (d *Users) update(name string, fn func(*user) error) (user, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.find(name)
	if u == nil {
		return user{}, errNoUser
	}
	next := u.clone()
	if err := fn(&next); err != nil {
		return user{}, err
	}
	oldPhone, newPhone := u.Attributes[attrPhone], next.Attributes[attrPhone]
	if newPhone != oldPhone {
		if _, taken := d.byPhone[newPhone]; taken {
			return user{}, errPhoneExists
		}
		delete(d.byPhone, oldPhone)
		d.byPhone[newPhone] = next.Username
	}
	next.Modified = d.now()
	*u = next
	return u.clone(), nil
}

func (d *Users) remove(name string) (user, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.find(name)
	if u == nil {
		return user{}, errNoUser
	}
	delete(d.byName, u.Username)
	delete(d.byPhone, u.Attributes[attrPhone])
	for i, n := range d.order {
		if n == u.Username {
			d.order = append(d.order[:i], d.order[i+1:]...)
			break
		}
	}
	return u.clone(), nil
}

// list returns copies of up to n users match accepts, in creation order,
// created after the user with seq after, and whether more match.
func (d *Users) list(after int64, n int, match func(*user) bool) ([]user, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []user
	for _, name := range d.order {
		u := d.byName[name]
		if u.seq <= after || !match(u) {
			continue
		}
		if len(out) == n {
			return out, true
		}
		out = append(out, u.clone())
	}
	return out, false
}

// MarkPhoneVerified is what the PostAuthentication trigger's
// AdminUpdateUserAttributes (phone_number_verified=true) does in AWS.
func (d *Users) MarkPhoneVerified(_ context.Context, _, username string) error {
	_, err := d.update(username, func(u *user) error {
		u.Attributes[attrPhoneVerified] = "true"
		return nil
	})
	return err
}
