// Package metagen derives, from github.com/nyaruka/phonenumbers' metadata,
// the static tables package plan judges numbers with: per calling code its
// territories in phonenumbers' order, per territory the national prefix
// rules and the number descriptions (pattern and possible lengths), and the
// regular expressions, anchored exactly as phonenumbers anchors them. Only
// the generator (package gen) and the tests import it; no function links it.
package metagen

import (
	"fmt"
	"maps"
	"slices"

	"github.com/nyaruka/phonenumbers"
)

// Descs are the descriptions a territory carries, in the order of
// package plan's desc constants.
var Descs = []struct {
	Name string
	Get  func(*phonenumbers.PhoneMetadata) *phonenumbers.PhoneNumberDesc
}{
	{"general", (*phonenumbers.PhoneMetadata).GetGeneralDesc},
	{"premiumRate", (*phonenumbers.PhoneMetadata).GetPremiumRate},
	{"tollFree", (*phonenumbers.PhoneMetadata).GetTollFree},
	{"sharedCost", (*phonenumbers.PhoneMetadata).GetSharedCost},
	{"voip", (*phonenumbers.PhoneMetadata).GetVoip},
	{"personalNumber", (*phonenumbers.PhoneMetadata).GetPersonalNumber},
	{"pager", (*phonenumbers.PhoneMetadata).GetPager},
	{"uan", (*phonenumbers.PhoneMetadata).GetUan},
	{"voicemail", (*phonenumbers.PhoneMetadata).GetVoicemail},
	{"fixedLine", (*phonenumbers.PhoneMetadata).GetFixedLine},
	{"mobile", (*phonenumbers.PhoneMetadata).GetMobile},
}

// Desc is one number description: the index of its anchored pattern and
// its possible lengths (see Lengths).
type Desc struct {
	Pattern int
	Lengths uint32
}

// Territory is one region's metadata, or a non-geographical entity's (Id
// "001").
type Territory struct {
	Id                       string
	Code                     int
	LeadingDigits            int // pattern index, 0: none
	NationalPrefixForParsing int // pattern index, 0: none
	TransformRule            string
	SameMobileAndFixedLine   bool
	LocalOnly                uint32 // the general description's local-only lengths
	Descs                    []Desc
}

// CallingCode is a calling code and its territories, Territories[First:First+N].
type CallingCode struct {
	Code, First, N int
}

// Plan is what the generator writes.
type Plan struct {
	Patterns     []string // [0] is "": none
	Territories  []Territory
	CallingCodes []CallingCode
	index        map[string]int
}

// Derive builds the plan from phonenumbers' metadata.
func Derive() (*Plan, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, fmt.Errorf("plan metadata: %w", err)
	}
	// As phonenumbers' newMetadataContainer: regions by id, non-geographical
	// entities by calling code; a later entry replaces an earlier one.
	byRegion := map[string]*phonenumbers.PhoneMetadata{}
	nonGeo := map[int]*phonenumbers.PhoneMetadata{}
	for _, m := range coll.GetMetadata() {
		if m.GetId() == "001" {
			nonGeo[int(m.GetCountryCode())] = m
		} else {
			byRegion[m.GetId()] = m
		}
	}
	p := &Plan{Patterns: []string{""}, index: map[string]int{"": 0}}
	for _, cc := range slices.Sorted(maps.Keys(phonenumbers.GetSupportedCallingCodes())) {
		regions := phonenumbers.GetRegionCodesForCountryCode(cc)
		if len(regions) == 0 {
			return nil, fmt.Errorf("calling code %d has no region", cc)
		}
		c := CallingCode{Code: cc, First: len(p.Territories), N: len(regions)}
		for _, r := range regions {
			m := byRegion[r]
			if r == "001" {
				if len(regions) != 1 {
					return nil, fmt.Errorf("calling code %d: 001 beside other regions", cc)
				}
				m = nonGeo[cc]
			}
			if m == nil {
				return nil, fmt.Errorf("calling code %d: region %s has no metadata", cc, r)
			}
			if int(m.GetCountryCode()) != cc {
				return nil, fmt.Errorf("calling code %d: region %s has calling code %d", cc, r, m.GetCountryCode())
			}
			t, err := p.territory(m)
			if err != nil {
				return nil, fmt.Errorf("calling code %d, region %s: %w", cc, r, err)
			}
			p.Territories = append(p.Territories, t)
		}
		p.CallingCodes = append(p.CallingCodes, c)
	}
	return p, nil
}

func (p *Plan) territory(m *phonenumbers.PhoneMetadata) (Territory, error) {
	t := Territory{
		Id:                     m.GetId(),
		Code:                   int(m.GetCountryCode()),
		TransformRule:          m.GetNationalPrefixTransformRule(),
		SameMobileAndFixedLine: m.GetSameMobileAndFixedLinePattern(),
	}
	// getRegionCodeForNumberFromRegionList: "^(?:" + leadingDigits + ")".
	if ld := m.GetLeadingDigits(); ld != "" {
		t.LeadingDigits = p.pattern("^(?:" + ld + ")")
	}
	// maybeStripNationalPrefixAndCarrierCode: "^(?:" + npp + ")".
	if npp := m.GetNationalPrefixForParsing(); npp != "" {
		t.NationalPrefixForParsing = p.pattern("^(?:" + npp + ")")
	}
	for _, d := range Descs {
		desc := d.Get(m)
		if desc == nil {
			// phonenumbers' isNumberMatchingDesc would dereference it.
			return t, fmt.Errorf("no %s description", d.Name)
		}
		lengths, err := Lengths(desc.GetPossibleLength())
		if err != nil {
			return t, fmt.Errorf("%s: %w", d.Name, err)
		}
		// isNumberMatchingDesc: "^(?:" + pattern + ")$".
		t.Descs = append(t.Descs, Desc{Pattern: p.pattern("^(?:" + desc.GetNationalNumberPattern() + ")$"), Lengths: lengths})
	}
	general := m.GetGeneralDesc()
	if len(general.GetPossibleLength()) == 0 {
		// testNumberLength reads possibleLengths[0].
		return t, fmt.Errorf("general description has no possible lengths")
	}
	local, err := Lengths(general.GetPossibleLengthLocalOnly())
	if err != nil || local&1 != 0 {
		return t, fmt.Errorf("general description's local-only lengths %v", general.GetPossibleLengthLocalOnly())
	}
	t.LocalOnly = local
	return t, nil
}

func (p *Plan) pattern(expr string) int {
	if i, ok := p.index[expr]; ok {
		return i
	}
	p.Patterns = append(p.Patterns, expr)
	p.index[expr] = len(p.Patterns) - 1
	return len(p.Patterns) - 1
}

// Lengths packs a list of possible lengths into a bit set: bit n for
// length n; 0 for an empty list (the description takes the general one's);
// bit 0 alone for [-1] (no number has this type). The list must be sorted,
// as testNumberLength, which reads its first and last entries as the
// shortest and longest, assumes.
func Lengths(ls []int32) (uint32, error) {
	if len(ls) == 1 && ls[0] == -1 {
		return 1, nil
	}
	var mask uint32
	for i, l := range ls {
		if l < 1 || l > 31 || (i > 0 && l <= ls[i-1]) {
			return 0, fmt.Errorf("possible lengths %v: not ascending lengths from 1 to 31", ls)
		}
		mask |= 1 << l
	}
	return mask, nil
}
