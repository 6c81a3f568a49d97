// Package plangen derives, from github.com/nyaruka/phonenumbers' metadata,
// the facts package country needs to name a number's region without the
// plan: each calling code's main region and, for calling codes several
// regions share, the national-number prefixes that decide the region of
// every number the plan judges valid. Only the generator (package gen) and
// the tests import it; no function links it.
package plangen

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxNSN is the longest national significant number phonenumbers parses.
const maxNSN = phonenumbers.MAX_LENGTH_FOR_NSN

// Code is one calling code, its main region ("" for a code of no country,
// +800 and the like) and the lengths (a bit each) its regions' national
// numbers may have.
type Code struct {
	Code    int
	Region  string
	Lengths uint32
}

// Prefix says that the numbers of Code whose national number starts with
// Digits (and that are Length digits long, unless 0) belong to Region.
type Prefix struct {
	Code   int
	Digits string
	Length int // 0: any
	Region string
}

// Table is what the generator writes.
type Table struct {
	Codes    []Code
	Prefixes []Prefix
}

// Derive builds the table from the plan phonenumbers holds.
func Derive() (Table, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return Table{}, fmt.Errorf("plan metadata: %w", err)
	}
	byRegion := map[string]*phonenumbers.PhoneMetadata{}
	for _, m := range coll.GetMetadata() {
		byRegion[m.GetId()] = m
	}
	var t Table
	ccs := slices.Sorted(func(yield func(int) bool) {
		for cc := range phonenumbers.GetSupportedCallingCodes() {
			if !yield(cc) {
				return
			}
		}
	})
	for _, cc := range ccs {
		regions := phonenumbers.GetRegionCodesForCountryCode(cc)
		switch {
		case len(regions) == 0:
			return Table{}, fmt.Errorf("calling code %d has no region", cc)
		case regions[0] == "001":
			t.Codes = append(t.Codes, Code{Code: cc})
			continue
		}
		lengths, err := possibleLengths(regions, byRegion)
		if err != nil {
			return Table{}, fmt.Errorf("calling code %d: %w", cc, err)
		}
		t.Codes = append(t.Codes, Code{Code: cc, Region: regions[0], Lengths: lengths})
		if len(regions) == 1 {
			continue
		}
		s, err := newShared(regions, byRegion)
		if err != nil {
			return Table{}, fmt.Errorf("calling code %d: %w", cc, err)
		}
		prefixes, err := s.prefixes()
		if err != nil {
			return Table{}, fmt.Errorf("calling code %d: %w", cc, err)
		}
		for _, p := range prefixes {
			t.Prefixes = append(t.Prefixes, Prefix{Code: cc, Digits: p.digits, Length: p.length, Region: regions[p.region]})
		}
	}
	return t, nil
}

// possibleLengths is the union of the regions' general descriptions'
// possible lengths: phonenumbers judges no number of another length valid.
func possibleLengths(regions []string, byRegion map[string]*phonenumbers.PhoneMetadata) (uint32, error) {
	var mask uint32
	for _, c := range regions {
		m := byRegion[c]
		if m == nil {
			return 0, fmt.Errorf("region %s has no metadata", c)
		}
		ls := m.GetGeneralDesc().GetPossibleLength()
		if len(ls) == 0 {
			return 1<<(maxNSN+1) - 2, nil // every length from 1 on
		}
		for _, l := range ls {
			if l >= 1 && l <= maxNSN {
				mask |= 1 << l
			}
		}
	}
	return mask, nil
}

// region is one region of a shared calling code, as
// phonenumbers.GetRegionCodeForNumber tells it apart from the others: by its
// leading digits when it has them, else by the number having a type there.
type region struct {
	leading *pattern   // nil: none
	general *pattern   // the general description
	types   []*pattern // the descriptions that give a number a type
}

func newRegion(m *phonenumbers.PhoneMetadata) (region, error) {
	var r region
	var err error
	if ld := m.GetLeadingDigits(); ld != "" {
		if r.leading, err = compile(ld, nil); err != nil {
			return r, err
		}
	}
	if r.general, err = desc(m.GetGeneralDesc()); err != nil {
		return r, err
	}
	// getNumberTypeHelper's order does not matter here, only whether any
	// description matches; mobile counts only when its pattern is not the
	// fixed line's.
	descs := []*phonenumbers.PhoneNumberDesc{m.GetPremiumRate(), m.GetTollFree(), m.GetSharedCost(), m.GetVoip(),
		m.GetPersonalNumber(), m.GetPager(), m.GetUan(), m.GetVoicemail(), m.GetFixedLine()}
	if !m.GetSameMobileAndFixedLinePattern() {
		descs = append(descs, m.GetMobile())
	}
	for _, d := range descs {
		p, err := desc(d)
		if err != nil {
			return r, err
		}
		r.types = append(r.types, p)
	}
	return r, nil
}

func desc(d *phonenumbers.PhoneNumberDesc) (*pattern, error) {
	if d == nil {
		return &pattern{never: true}, nil
	}
	return compile(d.GetNationalNumberPattern(), d.PossibleLength)
}

// shared explores the national numbers of one shared calling code digit by
// digit, carrying every region's pattern states.
type shared struct {
	regions []region
	memo    map[string]outcome
}

func newShared(codes []string, byRegion map[string]*phonenumbers.PhoneMetadata) (*shared, error) {
	if len(codes) > 64 { // outcome.regions' bits
		return nil, fmt.Errorf("%d regions, more than the generator counts", len(codes))
	}
	s := &shared{memo: map[string]outcome{}}
	for _, c := range codes {
		m := byRegion[c]
		if m == nil {
			return nil, fmt.Errorf("region %s has no metadata", c)
		}
		r, err := newRegion(m)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", c, err)
		}
		s.regions = append(s.regions, r)
	}
	return s, nil
}

// state is where every region's patterns stand after some digits.
type state struct {
	n       int
	leadHit []bool
	lead    []states
	general []states
	types   [][]states
}

func (s *shared) start() state {
	st := state{}
	for _, r := range s.regions {
		var l states
		hit := false
		if r.leading != nil {
			l = r.leading.start()
			hit = r.leading.matched(l, 0)
		}
		st.leadHit = append(st.leadHit, hit)
		st.lead = append(st.lead, l)
		st.general = append(st.general, r.general.start())
		var ts []states
		for _, t := range r.types {
			ts = append(ts, t.start())
		}
		st.types = append(st.types, ts)
	}
	return st
}

func (s *shared) step(st state, d rune) state {
	next := state{n: st.n + 1}
	for i, r := range s.regions {
		hit, l := st.leadHit[i], states(nil)
		if r.leading != nil && !hit {
			l = r.leading.step(st.lead[i], d)
			hit = r.leading.matched(l, next.n)
		}
		next.leadHit = append(next.leadHit, hit)
		next.lead = append(next.lead, l)
		next.general = append(next.general, r.general.step(st.general[i], d))
		var ts []states
		for j, t := range r.types {
			ts = append(ts, t.step(st.types[i][j], d))
		}
		next.types = append(next.types, ts)
	}
	return next
}

// hasType is phonenumbers' getNumberTypeHelper(n) != UNKNOWN for region i.
func (s *shared) hasType(st state, i int) bool {
	r := s.regions[i]
	if !r.general.matched(st.general[i], st.n) {
		return false
	}
	for j, t := range r.types {
		if t.matched(st.types[i][j], st.n) {
			return true
		}
	}
	return false
}

// ending is the region (index) phonenumbers gives a number that ends here,
// and whether the plan judges it valid.
func (s *shared) ending(st state) (int, bool) {
	if st.n == 0 {
		return -1, false
	}
	for i, r := range s.regions {
		if (r.leading != nil && st.leadHit[i]) || (r.leading == nil && s.hasType(st, i)) {
			return i, s.hasType(st, i)
		}
	}
	return -1, false
}

func (s *shared) alive(st state) bool {
	for _, g := range st.general {
		if len(g) > 0 {
			return true
		}
	}
	return false
}

func (st state) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|", st.n)
	for i := range st.general {
		if st.leadHit[i] {
			b.WriteString("H")
		} else {
			st.lead[i].key(&b)
		}
		st.general[i].key(&b)
		for _, t := range st.types[i] {
			t.key(&b)
		}
		b.WriteByte('|')
	}
	return b.String()
}

// outcome is, per region, the set of lengths (a bit each) of the valid
// numbers that start with some digits.
type outcome []uint32

func (o outcome) or(p outcome) {
	for i := range o {
		o[i] |= p[i]
	}
}

// regions returns the regions o holds, as a bit each.
func (o outcome) regions() uint64 {
	var m uint64
	for i, l := range o {
		if l != 0 {
			m |= 1 << i
		}
	}
	return m
}

// byLength returns the one region of each length o holds, or false when
// numbers of one length belong to more than one region.
func (o outcome) byLength() (map[int]int, bool) {
	out := map[int]int{}
	for i, l := range o {
		for n := 0; n <= maxNSN; n++ {
			if l&(1<<n) == 0 {
				continue
			}
			if _, dup := out[n]; dup {
				return nil, false
			}
			out[n] = i
		}
	}
	return out, true
}

// reach is what the valid numbers that start with the digits read to reach
// st may be.
func (s *shared) reach(st state) outcome {
	o := make(outcome, len(s.regions))
	if !s.alive(st) {
		return o
	}
	k := st.key()
	if m, ok := s.memo[k]; ok {
		return m
	}
	if i, valid := s.ending(st); valid {
		o[i] |= 1 << st.n
	}
	if st.n < maxNSN {
		for d := '0'; d <= '9'; d++ {
			o.or(s.reach(s.step(st, d)))
		}
	}
	s.memo[k] = o
	return o
}

type found struct {
	digits string
	length int // 0: any
	region int
}

// prefixes walks the numbers from the first digit on and stops at each
// prefix all of whose valid numbers belong to one region, or to one region
// per length (+1 310 2000 is Canadian, +1 310 200 0123 is not). It keeps
// the prefixes of regions other than the main one (index 0), which a lookup
// falls back to.
func (s *shared) prefixes() ([]found, error) {
	var out []found
	var walk func(st state, digits string) error
	walk = func(st state, digits string) error {
		if len(digits) > maxNSN {
			return fmt.Errorf("prefix %s: longer than any national number", digits)
		}
		o := s.reach(st)
		if m := o.regions(); bits.OnesCount64(m) <= 1 {
			if m > 1 { // one region, not the main one
				out = append(out, found{digits: digits, region: bits.TrailingZeros64(m)})
			}
			return nil
		}
		if byLen, ok := o.byLength(); ok {
			for _, n := range slices.Sorted(maps.Keys(byLen)) {
				if byLen[n] != 0 {
					out = append(out, found{digits: digits, length: n, region: byLen[n]})
				}
			}
			return nil
		}
		for d := '0'; d <= '9'; d++ {
			if err := walk(s.step(st, d), digits+string(d)); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(s.start(), "")
}
