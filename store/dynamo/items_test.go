package dynamo_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/store/dynamo"
)

// 2024-05-01T12:00:00Z is Unix 1714564800.
var noon = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

const (
	challengeID = "c0ffee00c0ffee00c0ffee00c0ffee00"
	phone       = "+15550100123"
)

func TestFromChallenge(t *testing.T) {
	c := otp.Challenge{
		ID:          challengeID,
		Phone:       phone,
		ClientID:    "3n4b5urk1ft4fl3mg5e4mmh7pf",
		KeyID:       "e119d402db71",
		MAC:         []byte{1, 2, 3},
		Locale:      "pt-BR",
		CreatedAt:   noon.Add(250 * time.Millisecond),
		ExpiresAt:   noon.Add(3*time.Minute + 250*time.Millisecond),
		Attempts:    1,
		MaxAttempts: 3,
		Consumed:    true,
		Voided:      true,
		Decoy:       true,
	}
	want := dynamo.ChallengeItem{
		PK:          "CH#" + challengeID,
		ID:          challengeID,
		Phone:       phone,
		ClientID:    "3n4b5urk1ft4fl3mg5e4mmh7pf",
		KeyID:       "e119d402db71",
		MAC:         []byte{1, 2, 3},
		Locale:      "pt-BR",
		CreatedAt:   1714564800250,
		ExpiresAt:   1714564980250,
		Attempts:    1,
		MaxAttempts: 3,
		Consumed:    true,
		Voided:      true,
		Decoy:       true,
		// expiresAt + Retention (1h) in Unix seconds, rounded down.
		TTL: 1714564980 + 3600,
	}
	got := dynamo.FromChallenge(c)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromChallenge mismatch (-want +got):\n%s", diff)
	}
	if got.TTL != c.ExpiresAt.Add(dynamo.Retention).Unix() {
		t.Errorf("TTL = %d, want expiresAt + Retention = %d", got.TTL, c.ExpiresAt.Add(dynamo.Retention).Unix())
	}
}

func TestChallengeItemRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		c    otp.Challenge
	}{
		{name: "zero flags", c: otp.Challenge{ID: challengeID, Phone: phone, ClientID: "client", KeyID: "e119d402db71", MAC: make([]byte, 32), Locale: "en", CreatedAt: noon, ExpiresAt: noon.Add(3 * time.Minute), MaxAttempts: 3}},
		{name: "all flags", c: otp.Challenge{ID: challengeID, Phone: phone, ClientID: "client", KeyID: "e119d402db71", MAC: []byte{9}, Locale: "de", CreatedAt: noon.Add(time.Millisecond), ExpiresAt: noon.Add(15 * time.Minute), Attempts: 3, MaxAttempts: 3, Consumed: true, Voided: true, Decoy: true}},
		{name: "decoy", c: otp.Challenge{ID: challengeID, Phone: phone, CreatedAt: noon, ExpiresAt: noon.Add(time.Minute), MaxAttempts: 5, Decoy: true}},
	}
	for _, tc := range tests {
		item := dynamo.FromChallenge(tc.c)
		got := item.Challenge()
		if diff := cmp.Diff(tc.c, got); diff != "" {
			t.Errorf("%s: round trip mismatch (-want +got):\n%s", tc.name, diff)
		}
		if got.CreatedAt.Location() != time.UTC || got.ExpiresAt.Location() != time.UTC {
			t.Errorf("%s: times read back are not UTC", tc.name)
		}

		// Through the DynamoDB attribute-value codec as well.
		av, err := attributevalue.MarshalMap(item)
		if err != nil {
			t.Fatalf("%s: MarshalMap: %v", tc.name, err)
		}
		var back dynamo.ChallengeItem
		if err := attributevalue.UnmarshalMap(av, &back); err != nil {
			t.Fatalf("%s: UnmarshalMap: %v", tc.name, err)
		}
		if diff := cmp.Diff(item, back); diff != "" {
			t.Errorf("%s: attribute-value round trip mismatch (-want +got):\n%s", tc.name, diff)
		}
	}

	// Times are kept to the millisecond, and read back in UTC.
	c := otp.Challenge{CreatedAt: noon.Add(1500 * time.Microsecond).In(time.FixedZone("UTC+2", 7200)), ExpiresAt: noon.Add(time.Minute + 999*time.Microsecond)}
	got := dynamo.FromChallenge(c).Challenge()
	if want := noon.Add(time.Millisecond); !got.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt read back as %v, want %v (truncated to ms)", got.CreatedAt, want)
	}
	if want := noon.Add(time.Minute); !got.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt read back as %v, want %v (truncated to ms)", got.ExpiresAt, want)
	}
}

func TestChallengeItemAttributes(t *testing.T) {
	item := dynamo.FromChallenge(otp.Challenge{ID: challengeID, Phone: phone, CreatedAt: noon, ExpiresAt: noon.Add(time.Minute)})
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range av {
		names = append(names, k)
	}
	slices.Sort(names)
	// The delivery claim is absent until the worker writes it (omitempty).
	want := []string{"attempts", "clientId", "consumed", "createdAt", "decoy", "expiresAt", "id", "keyId", "locale", "mac", "maxAttempts", "phone", "pk", "ttl", "voided"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("challenge item attributes (-want +got):\n%s", diff)
	}
	if pk, ok := av[dynamo.AttrPK].(*types.AttributeValueMemberS); !ok || pk.Value != "CH#"+challengeID {
		t.Errorf("pk attribute = %#v, want string CH#%s", av[dynamo.AttrPK], challengeID)
	}
	if ttl, ok := av[dynamo.AttrTTL].(*types.AttributeValueMemberN); !ok || ttl.Value != "1714568460" {
		t.Errorf("ttl attribute = %#v, want number 1714568460 (TTL needs a Number in seconds)", av[dynamo.AttrTTL])
	}
}

// TestAttributeNameConstants checks that the names used in condition
// expressions are the names the items are stored under.
func TestAttributeNameConstants(t *testing.T) {
	tags := func(v any) []string {
		var out []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("dynamodbav"), ",")
			out = append(out, name)
		}
		return out
	}
	challenge := tags(dynamo.ChallengeItem{})
	pointer := tags(dynamo.PointerItem{})
	counter := tags(dynamo.CounterItem{})
	tests := []struct {
		constant string
		in       []string
		item     string
	}{
		{dynamo.AttrPK, challenge, "ChallengeItem"},
		{dynamo.AttrPK, pointer, "PointerItem"},
		{dynamo.AttrPK, counter, "CounterItem"},
		{dynamo.AttrTTL, challenge, "ChallengeItem"},
		{dynamo.AttrTTL, pointer, "PointerItem"},
		{dynamo.AttrTTL, counter, "CounterItem"},
		{dynamo.AttrAttempts, challenge, "ChallengeItem"},
		{dynamo.AttrMax, challenge, "ChallengeItem"},
		{dynamo.AttrConsumed, challenge, "ChallengeItem"},
		{dynamo.AttrVoided, challenge, "ChallengeItem"},
		{dynamo.AttrExpires, challenge, "ChallengeItem"},
		{dynamo.AttrExpires, pointer, "PointerItem"},
		{dynamo.AttrCreated, challenge, "ChallengeItem"},
		{dynamo.AttrCreated, pointer, "PointerItem"},
		{dynamo.AttrCount, counter, "CounterItem"},
		{dynamo.AttrChalID, pointer, "PointerItem"},
	}
	for _, tc := range tests {
		if !slices.Contains(tc.in, tc.constant) {
			t.Errorf("%s has no attribute %q", tc.item, tc.constant)
		}
	}
}

func TestPointerItem(t *testing.T) {
	p := otp.Pointer{
		Phone:       phone,
		ClientID:    "3n4b5urk1ft4fl3mg5e4mmh7pf",
		ChallengeID: challengeID,
		CreatedAt:   noon.Add(7 * time.Millisecond),
		ExpiresAt:   noon.Add(3 * time.Minute),
	}
	want := dynamo.PointerItem{
		PK:          "RU#+15550100123#3n4b5urk1ft4fl3mg5e4mmh7pf",
		ChallengeID: challengeID,
		CreatedAt:   1714564800007,
		ExpiresAt:   1714564980000,
		TTL:         1714564980 + 3600,
	}
	item := dynamo.FromPointer(p)
	if diff := cmp.Diff(want, item); diff != "" {
		t.Errorf("FromPointer mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(p, item.Pointer(p.Phone, p.ClientID)); diff != "" {
		t.Errorf("Pointer round trip mismatch (-want +got):\n%s", diff)
	}
}

// TestKeysGolden pins the key layouts: stored items are found by these
// strings, so a change strands every live item.
func TestKeysGolden(t *testing.T) {
	// 12:37:30 UTC; shard picked as 7.
	now := noon.Add(37*time.Minute + 30*time.Second)
	ctrs := otp.Counters(otp.DefaultPolicy().Caps, phone, "US", now, func(int) int { return 7 })
	tests := []struct {
		name, got, want string
	}{
		{"challenge", dynamo.ChallengeKey(challengeID), "CH#c0ffee00c0ffee00c0ffee00c0ffee00"},
		{"pointer", dynamo.PointerKey(phone, "3n4b5urk1ft4fl3mg5e4mmh7pf"), "RU#+15550100123#3n4b5urk1ft4fl3mg5e4mmh7pf"},
		{"pointer, empty client", dynamo.PointerKey(phone, ""), "RU#+15550100123#"},
		{"counter, phone per 15m", dynamo.CounterKey(ctrs[0]), "RL#phone#900#+15550100123#1714566600#0"},
		{"counter, phone per day", dynamo.CounterKey(ctrs[1]), "RL#phone#86400#+15550100123#1714521600#0"},
		{"counter, country per hour, shard 7", dynamo.CounterKey(ctrs[2]), "RL#country#3600#US#1714564800#7"},
		{"counter, global per hour, shard 7", dynamo.CounterKey(ctrs[3]), "RL#global#3600##1714564800#7"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s key = %q, want %q", tc.name, tc.got, tc.want)
		}
	}

	ttls := []int64{
		1714566600 + 900 + 3600,   // window end + Retention
		1714521600 + 86400 + 3600, // next midnight + 1h
		1714564800 + 3600 + 3600,
		1714564800 + 3600 + 3600,
	}
	for i, want := range ttls {
		if got := dynamo.CounterTTL(ctrs[i]); got != want {
			t.Errorf("CounterTTL(%s) = %d, want %d", dynamo.CounterKey(ctrs[i]), got, want)
		}
	}
}

func TestCounterKeysDistinct(t *testing.T) {
	base := otp.Counter{Cap: otp.Cap{Scope: otp.ScopePhone, Window: time.Hour, Max: 5}, Subject: phone, WindowStart: noon}
	variants := map[string]otp.Counter{"base": base}
	v := base
	v.Cap.Scope = otp.ScopeCountry
	variants["scope"] = v
	v = base
	v.Cap.Window = 2 * time.Hour
	variants["window"] = v
	v = base
	v.Subject = "+15550100124"
	variants["subject"] = v
	v = base
	v.WindowStart = noon.Add(time.Hour)
	variants["window start"] = v
	v = base
	v.Shard = 1
	variants["shard"] = v
	// Max is not part of the key: raising a cap keeps counting in the same item.
	v = base
	v.Cap.Max = 50

	seen := map[string]string{}
	for name, c := range variants {
		k := dynamo.CounterKey(c)
		if other, dup := seen[k]; dup {
			t.Errorf("counters %q and %q share key %s", name, other, k)
		}
		seen[k] = name
	}
	if dynamo.CounterKey(v) != dynamo.CounterKey(base) {
		t.Errorf("changing Max changed the key: %s vs %s", dynamo.CounterKey(v), dynamo.CounterKey(base))
	}
}

func TestTableDefinition(t *testing.T) {
	ignore := cmpopts.IgnoreUnexported(
		dynamodb.CreateTableInput{}, dynamodb.UpdateTimeToLiveInput{},
		types.AttributeDefinition{}, types.KeySchemaElement{}, types.TimeToLiveSpecification{},
	)
	wantTable := &dynamodb.CreateTableInput{
		TableName:            aws.String("otp"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
	}
	if diff := cmp.Diff(wantTable, dynamo.CreateTableInput("otp"), ignore); diff != "" {
		t.Errorf("CreateTableInput mismatch (-want +got):\n%s", diff)
	}
	wantTTL := &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String("otp"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String("ttl"),
			Enabled:       aws.Bool(true),
		},
	}
	if diff := cmp.Diff(wantTTL, dynamo.TimeToLiveInput("otp"), ignore); diff != "" {
		t.Errorf("TimeToLiveInput mismatch (-want +got):\n%s", diff)
	}
	wantKey := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "CH#x"}}
	if diff := cmp.Diff(wantKey, dynamo.KeyOf("CH#x"), cmpopts.IgnoreUnexported(types.AttributeValueMemberS{})); diff != "" {
		t.Errorf("KeyOf mismatch (-want +got):\n%s", diff)
	}
}
