package delivery

import "fmt"

// Status is where a sent message stands according to its receipts.
type Status int

// Statuses in the order a message moves through them. The zero value is
// not a status, so a message without one is caught, not taken as sent.
const (
	_ Status = iota
	// Sent: the provider's API accepted it (the worker's own record, and
	// what Twilio's queued, accepted, scheduled and sending say).
	Sent
	// Handed: the provider handed it to a carrier (Twilio's sent).
	Handed
	// Delivered: the handset or its carrier confirmed it. Final.
	Delivered
	// Undelivered: a carrier refused, filtered or dropped it. Final.
	Undelivered
	// Failed: the provider could not send it at all. Final.
	Failed
)

var statusNames = [...]string{
	Sent:        "sent",
	Handed:      "handed",
	Delivered:   "delivered",
	Undelivered: "undelivered",
	Failed:      "failed",
}

func (s Status) String() string {
	if s > 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// ParseStatus reads a stored name back; ok is false for a name this
// version does not know.
func ParseStatus(name string) (Status, bool) {
	for s, n := range statusNames {
		if n != "" && n == name {
			return Status(s), true
		}
	}
	return 0, false
}

// Final reports whether no receipt may change s any more. The first final
// status wins: providers document delivered, undelivered and failed as
// final, and a message is counted once in the tallies.
func (s Status) Final() bool { return s >= Delivered }

// rank orders statuses; every final one outranks every other.
func (s Status) rank() int {
	if s.Final() {
		return int(Delivered)
	}
	return int(s)
}

// Valid reports whether s is one of the statuses above.
func (s Status) Valid() bool { return s >= Sent && s <= Failed }
