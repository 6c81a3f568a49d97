package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cognito-phone-otp/cognito-phone-otp/otp"
	"github.com/cognito-phone-otp/cognito-phone-otp/store"
)

// itemAPI is the part of the DynamoDB client both the store and the ledger
// use: consistent reads and transactions.
type itemAPI interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// API is the part of the DynamoDB client the store uses.
type API interface {
	itemAPI
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Store is the DynamoDB challenge store.
type Store struct {
	db    API
	table string
	now   func() time.Time // dates a void's placeholder (VoidChallenge)
}

// New returns a store over table.
func New(db API, table string) (*Store, error) {
	if db == nil {
		return nil, errors.New("dynamo store: nil client")
	}
	if table == "" {
		return nil, errors.New("dynamo store: empty table name")
	}
	return &Store{db: db, table: table, now: time.Now}, nil
}

// conflictTries bounds tries of a transaction cancelled only because a
// concurrent transaction touched the same counter shard. Each try has its
// own random ClientRequestToken: the SDK's retry of a try whose response was
// lost repeats the token and so is applied once, while a new try after a
// cancel, or another call, is a new request.
const conflictTries = 2

// PutChallenge writes c, bumps every counter below its max and points the
// reuse pointer at c, in one transaction: all or nothing. Full counters give
// *otp.LimitError listing each; a pointer held by a concurrent Create gives
// otp.ErrPointerTaken (checked first: that Create's challenge is the one to
// answer, whatever the counters say).
func (s *Store) PutChallenge(ctx context.Context, c otp.Challenge, counters []otp.Counter, claim otp.PointerClaim) error {
	in, err := s.putChallengeInput(c, counters, claim)
	if err != nil {
		return err
	}
	for try := 1; ; try++ {
		err := transactOnce(ctx, s.db, in)
		if err == nil {
			return nil
		}
		var tce *types.TransactionCanceledException
		if !errors.As(err, &tce) {
			return fmt.Errorf("put challenge %s: %w", c.ID, err)
		}
		if cerr := cancelReason(tce, c, counters); cerr != nil {
			return cerr
		}
		if try == conflictTries {
			return fmt.Errorf("put challenge %s: transaction conflict after %d tries: %w", c.ID, try, err)
		}
		if err := conflictPause(ctx); err != nil {
			return fmt.Errorf("put challenge %s: %w", c.ID, err)
		}
	}
}

func (s *Store) putChallengeInput(c otp.Challenge, counters []otp.Counter, claim otp.PointerClaim) (*dynamodb.TransactWriteItemsInput, error) {
	items := make([]types.TransactWriteItem, 0, len(counters)+2)
	for _, ctr := range counters {
		cond := expression.Or(
			expression.AttributeNotExists(expression.Name(AttrPK)),
			expression.Name(AttrCount).LessThan(expression.Value(ctr.Max())),
		)
		upd := expression.Add(expression.Name(AttrCount), expression.Value(1)).
			Set(expression.Name(AttrTTL), expression.Value(CounterTTL(ctr)))
		expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
		if err != nil {
			return nil, fmt.Errorf("build counter update: %w", err)
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(s.table),
			Key:                       KeyOf(CounterKey(ctr)),
			UpdateExpression:          expr.Update(),
			ConditionExpression:       expr.Condition(),
			ExpressionAttributeNames:  expr.Names(),
			ExpressionAttributeValues: expr.Values(),
		}})
	}
	challenge, err := s.put(FromChallenge(c), expression.AttributeNotExists(expression.Name(AttrPK)))
	if err != nil {
		return nil, fmt.Errorf("challenge: %w", err)
	}
	pointer, err := s.put(FromPointer(otp.PointerFor(c)), pointerCondition(c.ID, claim))
	if err != nil {
		return nil, fmt.Errorf("reuse pointer: %w", err)
	}
	items = append(items, challenge, pointer)
	return &dynamodb.TransactWriteItemsInput{TransactItems: items}, nil
}

// pointerCondition: see otp.PointerClaim. Naming our own id too keeps a
// replayed write from refusing itself.
func pointerCondition(id string, claim otp.PointerClaim) expression.ConditionBuilder {
	cond := expression.Or(
		expression.AttributeNotExists(expression.Name(AttrPK)),
		expression.Name(AttrCreated).LessThanEqual(expression.Value(claim.StaleBefore.UnixMilli())),
		expression.Name(AttrChalID).Equal(expression.Value(id)),
	)
	if claim.PrevID != "" {
		cond = cond.Or(expression.Name(AttrChalID).Equal(expression.Value(claim.PrevID)))
	}
	return cond
}

func (s *Store) put(item any, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	return putItem(s.table, item, cond)
}

// cancelReason maps a cancelled transaction to the caller's error, or nil
// when it was only a conflict with another transaction (worth a retry).
// Items are counters..., challenge, pointer.
func cancelReason(tce *types.TransactionCanceledException, c otp.Challenge, counters []otp.Counter) error {
	var full []otp.Counter
	conflict := false
	for i, r := range tce.CancellationReasons {
		switch code := aws.ToString(r.Code); code {
		case "ConditionalCheckFailed":
			switch {
			case i < len(counters):
				full = append(full, counters[i])
			case i == len(counters):
				return fmt.Errorf("put challenge %s: %w", c.ID, otp.ErrExists)
			default:
				return fmt.Errorf("put challenge %s: %w", c.ID, otp.ErrPointerTaken)
			}
		case "TransactionConflict":
			conflict = true
		case "", "None":
		default:
			return fmt.Errorf("put challenge %s: cancelled (%s): %w", c.ID, code, tce)
		}
	}
	if len(full) > 0 {
		return &otp.LimitError{Counters: full}
	}
	if !conflict {
		return fmt.Errorf("put challenge %s: %w", c.ID, tce)
	}
	return nil
}

// GetChallenge reads a challenge with a strongly consistent read.
func (s *Store) GetChallenge(ctx context.Context, id string) (otp.Challenge, error) {
	it, err := s.challengeItem(ctx, id)
	if err != nil {
		return otp.Challenge{}, err
	}
	return it.Challenge(), nil
}

func (s *Store) challengeItem(ctx context.Context, id string) (ChallengeItem, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            KeyOf(ChallengeKey(id)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return ChallengeItem{}, fmt.Errorf("get challenge %s: %w", id, err)
	}
	if out.Item == nil {
		return ChallengeItem{}, fmt.Errorf("get challenge %s: %w", id, otp.ErrNotFound)
	}
	var it ChallengeItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return ChallengeItem{}, fmt.Errorf("decode challenge %s: %w", id, err)
	}
	return it, nil
}

// VoidChallenge marks a challenge as abandoned: it never verifies or sends.
// A challenge not stored (yet) gets a voided placeholder under its key (see
// store.Placeholder), so that a write of it still in flight, one Create gave
// up on, is refused by the challenge's own attribute_not_exists and applies
// nothing: the transaction is all or nothing, so neither the reuse pointer
// nor a counter moves. One update without a condition does both at once:
// voided is set on the item there, and if_not_exists fills the
// placeholder's fields only where there was none.
func (s *Store) VoidChallenge(ctx context.Context, id string) error {
	p := store.Placeholder(id, s.now())
	it := FromChallenge(p)
	upd := expression.Set(expression.Name(AttrVoided), expression.Value(true))
	for _, f := range []struct {
		name string
		v    any
	}{{AttrID, it.ID}, {AttrCreated, it.CreatedAt}, {AttrExpires, it.ExpiresAt}, {AttrTTL, it.TTL}} {
		upd = upd.Set(expression.Name(f.name), expression.Name(f.name).IfNotExists(expression.Value(f.v)))
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return fmt.Errorf("void challenge %s: build expression: %w", id, err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       KeyOf(ChallengeKey(id)),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if err != nil {
		return fmt.Errorf("void challenge %s: %w", id, err)
	}
	return nil
}

// CountAttempt adds one to the challenge's attempts only if it is below the
// cap, unconsumed, not voided and not expired at now, and returns the
// challenge as updated. Otherwise nothing changes and the error is
// otp.ErrNotAnswerable.
//
// Each call writes its own random token beside the count, and the count
// requires another token there: the SDK's retry of a count that was applied
// but whose answer was lost fails on our own write, and one read tells that
// apart (the answer counts once, and is judged, not refused as over the
// cap). Only a rival's count landing between the two tries undoes that.
func (s *Store) CountAttempt(ctx context.Context, id string, now time.Time) (otp.Challenge, error) {
	token, err := otp.NewID(nil)
	if err != nil {
		return otp.Challenge{}, fmt.Errorf("attempt token: %w", err)
	}
	last := expression.Name(AttrLastTry)
	cond := expression.And(
		expression.AttributeExists(expression.Name(AttrPK)),
		expression.Name(AttrAttempts).LessThan(expression.Name(AttrMax)),
		expression.Name(AttrConsumed).Equal(expression.Value(false)),
		expression.Name(AttrVoided).Equal(expression.Value(false)),
		expression.Name(AttrExpires).GreaterThan(expression.Value(now.UnixMilli())),
		expression.Or(expression.AttributeNotExists(last), last.NotEqual(expression.Value(token))),
	)
	var it ChallengeItem
	err = s.update(ctx, id,
		expression.Add(expression.Name(AttrAttempts), expression.Value(1)).Set(last, expression.Value(token)),
		cond, types.ReturnValueAllNew, &it)
	if err != nil {
		// Applied all the same (our retried write refused by itself, or an
		// answer cut short)? One read tells.
		own, gerr := s.challengeItem(ctx, id)
		switch {
		case gerr == nil && own.LastAttempt == token:
			return own.Challenge(), nil
		case !isConditionFailed(err):
			return otp.Challenge{}, fmt.Errorf("count attempt on %s: %w", id, err)
		case gerr != nil && !errors.Is(gerr, otp.ErrNotFound):
			// Unknown whether the refusal was our own write: an error, so
			// a right answer is never told it is wrong.
			return otp.Challenge{}, fmt.Errorf("count attempt on %s: refused, reason unknown: %w", id, gerr)
		}
		return otp.Challenge{}, fmt.Errorf("count attempt on %s: %w", id, otp.ErrNotAnswerable)
	}
	return it.Challenge(), nil
}

// Consume marks the challenge used on behalf of by (an id of the Verify
// invocation); only the first caller succeeds, the rest get
// otp.ErrAlreadyConsumed. A voided challenge cannot be consumed. If the SDK
// retried a write whose first attempt was applied, the condition fails on
// our own write, and an answer cut short hides a write that was applied:
// after any failure one read tells whether we consumed it.
func (s *Store) Consume(ctx context.Context, id, by string) error {
	cond := expression.And(
		expression.Name(AttrConsumed).Equal(expression.Value(false)),
		expression.Name(AttrVoided).Equal(expression.Value(false)),
	)
	upd := expression.Set(expression.Name(AttrConsumed), expression.Value(true)).
		Set(expression.Name(AttrConsBy), expression.Value(by))
	err := s.update(ctx, id, upd, cond, types.ReturnValueNone, nil)
	if err == nil {
		return nil
	}
	// Applied all the same (our retried write refused by itself, or an
	// answer cut short)? One read tells.
	c, gerr := s.GetChallenge(ctx, id)
	switch {
	case gerr == nil && c.Consumed && c.ConsumedBy == by && !c.Voided:
		return nil
	case !isConditionFailed(err):
		return fmt.Errorf("consume %s: %w", id, err)
	case gerr != nil:
		// Unknown whether we won: an error, never "already consumed",
		// which would tell a right answer it lost.
		return fmt.Errorf("consume %s: refused, reason unknown: %w", id, gerr)
	}
	return fmt.Errorf("consume %s: %w", id, otp.ErrAlreadyConsumed)
}

// Claim takes the delivery of challenge id for one send attempt, if and
// only if the challenge exists, is not voided, consumed or a decoy, is for
// the number to, has not expired at now, and no worker holds it: its
// delivery state is absent (never picked up, or written before the worker
// existed) or failed-retryable, or it is sending with deliveryAt before
// staleBefore (that worker died mid-send). It sets delivery=sending and
// deliveryAt=now, adds one to deliveryAttempts and returns the challenge as
// updated. Otherwise nothing changes and one strongly consistent read names
// the reason (see storetest.Claims for the order): otp.ErrNotDeliverable,
// otp.ErrDelivered or otp.ErrClaimTaken. Times compare at millisecond
// precision.
//
// A Claim whose response is lost and which the SDK retries is refused by
// its own write (otp.ErrClaimTaken), and the message waits until the claim
// is stale: we err on the side of a late SMS, never a second one.
func (s *Store) Claim(ctx context.Context, id, to string, now, staleBefore time.Time) (otp.Challenge, error) {
	if to == "" {
		// No challenge is for no number (and DynamoDB Local refuses an
		// empty string value).
		return otp.Challenge{}, fmt.Errorf("claim delivery of %s: empty destination: %w", id, otp.ErrNotDeliverable)
	}
	delivery := expression.Name(AttrDelivery)
	cond := expression.And(
		deliverableTo(to, now),
		expression.Or(
			expression.AttributeNotExists(delivery),
			delivery.Equal(expression.Value(otp.DeliveryFailedRetryable.String())),
			expression.And(
				delivery.Equal(expression.Value(otp.DeliverySending.String())),
				expression.Name(AttrDelivAt).LessThan(expression.Value(staleBefore.UnixMilli())),
			),
		),
	)
	upd := expression.Set(delivery, expression.Value(otp.DeliverySending.String())).
		Set(expression.Name(AttrDelivAt), expression.Value(now.UnixMilli())).
		Add(expression.Name(AttrDelivN), expression.Value(1))
	var it ChallengeItem
	err := s.update(ctx, id, upd, cond, types.ReturnValueAllNew, &it)
	if isConditionFailed(err) {
		// DynamoDB Local returns no item with
		// ReturnValuesOnConditionCheckFailure, so read it.
		c, gerr := s.GetChallenge(ctx, id)
		if errors.Is(gerr, otp.ErrNotFound) {
			return otp.Challenge{}, fmt.Errorf("claim delivery of %s: %w", id, otp.ErrNotDeliverable)
		}
		if gerr != nil {
			return otp.Challenge{}, fmt.Errorf("claim delivery of %s: refused, reason unknown: %w", id, gerr)
		}
		return otp.Challenge{}, fmt.Errorf("claim delivery of %s: %w", id, claimRefusal(c, to, now, staleBefore))
	}
	if err != nil {
		return otp.Challenge{}, fmt.Errorf("claim delivery of %s: %w", id, err)
	}
	return it.Challenge(), nil
}

// ClaimResend takes the delivery of challenge id for one more SMS after the
// send prevProvider accepted as prevID, if and only if
// otp.Challenge.ResendRefusal allows it: the challenge is live and for to,
// its delivery is still "sent" by that provider under that id, and deliveryVia holds fewer
// than maxSends providers. It sets delivery=sending and deliveryAt=now
// and adds one to deliveryAttempts, as Claim does, so Record settles it.
// Otherwise one read names the reason: otp.ErrNotDeliverable,
// otp.ErrDelivered (moved on: another check or receipt resent it) or
// otp.ErrSendsSpent.
func (s *Store) ClaimResend(ctx context.Context, id, to, prevProvider, prevID string, now time.Time, maxSends int) (otp.Challenge, error) {
	// DynamoDB Local refuses an empty string value; ResendRefusal's answers.
	switch {
	case to == "":
		return otp.Challenge{}, fmt.Errorf("claim resend of %s: empty destination: %w", id, otp.ErrNotDeliverable)
	case prevID == "" || prevProvider == "":
		return otp.Challenge{}, fmt.Errorf("claim resend of %s: no message to follow: %w", id, otp.ErrDelivered)
	}
	token, err := otp.NewID(nil)
	if err != nil {
		return otp.Challenge{}, fmt.Errorf("resend claim token: %w", err)
	}
	via := expression.Name(AttrDelivVia)
	cond := expression.And(
		deliverableTo(to, now),
		expression.Name(AttrDelivery).Equal(expression.Value(otp.DeliverySent.String())),
		expression.Name(AttrDelivID).Equal(expression.Value(prevID)),
		expression.Name(AttrDelivBy).Equal(expression.Value(prevProvider)),
		expression.Or(expression.AttributeNotExists(via), via.Size().LessThan(expression.Value(maxSends))),
	)
	upd := expression.Set(expression.Name(AttrDelivery), expression.Value(otp.DeliverySending.String())).
		Set(expression.Name(AttrDelivAt), expression.Value(now.UnixMilli())).
		Set(expression.Name(AttrResendBy), expression.Value(token)).
		Add(expression.Name(AttrDelivN), expression.Value(1))
	var it ChallengeItem
	err = s.update(ctx, id, upd, cond, types.ReturnValueAllNew, &it)
	if err == nil {
		return it.Challenge(), nil
	}
	// Applied all the same (the SDK's retry refused by our own write, or
	// an answer cut short)? One read tells, by the token: without it the
	// check would be dropped as a rival's and the resend lost.
	own, gerr := s.challengeItem(ctx, id)
	switch {
	case gerr == nil && own.ResendClaim == token && own.Delivery == otp.DeliverySending.String():
		return own.Challenge(), nil
	case !isConditionFailed(err):
		return otp.Challenge{}, fmt.Errorf("claim resend of %s: %w", id, err)
	case errors.Is(gerr, otp.ErrNotFound):
		return otp.Challenge{}, fmt.Errorf("claim resend of %s: %w", id, otp.ErrNotDeliverable)
	case gerr != nil:
		return otp.Challenge{}, fmt.Errorf("claim resend of %s: refused, reason unknown: %w", id, gerr)
	}
	why := own.Challenge().ResendRefusal(to, prevProvider, prevID, now, maxSends)
	if why == nil {
		why = otp.ErrDelivered // a rival's resend claim refused ours and has since settled
	}
	return otp.Challenge{}, fmt.Errorf("claim resend of %s: %w", id, why)
}

// deliverableTo is the condition both claims start with: the challenge
// exists, is for number to, is no decoy, not voided, not consumed, and has
// not expired at now.
func deliverableTo(to string, now time.Time) expression.ConditionBuilder {
	return expression.And(
		expression.AttributeExists(expression.Name(AttrPK)),
		expression.Name(AttrPhone).Equal(expression.Value(to)),
		expression.Name(AttrDecoy).Equal(expression.Value(false)),
		expression.Name(AttrVoided).Equal(expression.Value(false)),
		expression.Name(AttrConsumed).Equal(expression.Value(false)),
		expression.Name(AttrExpires).GreaterThan(expression.Value(now.UnixMilli())),
	)
}

// claimRefusal names why a claim on c, as read after the refusal, failed.
// A challenge claimable by the time of the read means a rival's claim
// refused ours and has since been recorded (or gone stale): a later try
// may claim it.
func claimRefusal(c otp.Challenge, to string, now, staleBefore time.Time) error {
	if err := c.ClaimRefusal(to, now, staleBefore); err != nil {
		return err
	}
	return otp.ErrClaimTaken
}

// Record sets outcome o of the claim taken at claimedAt (o.Check refuses
// a state that is not an outcome); its provider and provider id are stored
// (an empty one is removed); deliveryAt stays the claim's time. o.Uncount
// also subtracts the attempt the claim added. Only the holder records: the
// condition is delivery=sending and deliveryAt=claimedAt, otherwise the
// error is otp.ErrClaimLost. As in Consume, a condition failed by our own
// write (the SDK retried a request whose response was lost) is told apart
// by one read (otp.Delivery.Recorded) and reports success.
func (s *Store) Record(ctx context.Context, id string, claimedAt time.Time, o otp.Outcome) error {
	if err := o.Check(); err != nil {
		return fmt.Errorf("record delivery of %s: %w", id, err)
	}
	cond := expression.And(
		expression.Name(AttrDelivery).Equal(expression.Value(otp.DeliverySending.String())),
		expression.Name(AttrDelivAt).Equal(expression.Value(claimedAt.UnixMilli())),
	)
	upd := expression.Set(expression.Name(AttrDelivery), expression.Value(o.State.String()))
	upd = setOrRemove(upd, AttrDelivBy, o.Provider)
	upd = setOrRemove(upd, AttrDelivID, o.ProviderID)
	if o.State == otp.DeliverySent && o.Provider != "" {
		upd = upd.Add(expression.Name(AttrDelivVia), expression.Value(&types.AttributeValueMemberSS{Value: []string{o.Provider}}))
	}
	if o.Uncount {
		upd = upd.Add(expression.Name(AttrDelivN), expression.Value(-1))
	}
	err := s.update(ctx, id, upd, cond, types.ReturnValueNone, nil)
	if isConditionFailed(err) {
		c, gerr := s.GetChallenge(ctx, id)
		if gerr == nil && c.Delivery.Recorded(claimedAt, o) {
			return nil
		}
		return fmt.Errorf("record delivery of %s: %w", id, otp.ErrClaimLost)
	}
	if err != nil {
		return fmt.Errorf("record delivery of %s: %w", id, err)
	}
	return nil
}

// setOrRemove sets attribute name to v, or removes it when v is empty (the
// item layout omits empty strings).
func setOrRemove(upd expression.UpdateBuilder, name, v string) expression.UpdateBuilder {
	if v == "" {
		return upd.Remove(expression.Name(name))
	}
	return upd.Set(expression.Name(name), expression.Value(v))
}

func (s *Store) update(ctx context.Context, id string, upd expression.UpdateBuilder, cond expression.ConditionBuilder, rv types.ReturnValue, out any) error {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build expression: %w", err)
	}
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       KeyOf(ChallengeKey(id)),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              rv,
	})
	if err != nil {
		return err
	}
	if out != nil {
		if err := attributevalue.UnmarshalMap(res.Attributes, out); err != nil {
			return fmt.Errorf("decode item: %w", err)
		}
	}
	return nil
}

// GetPointer reads the reuse pointer for phone and clientID.
func (s *Store) GetPointer(ctx context.Context, phone, clientID string) (otp.Pointer, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            KeyOf(PointerKey(phone, clientID)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return otp.Pointer{}, fmt.Errorf("get reuse pointer: %w", err)
	}
	if out.Item == nil {
		return otp.Pointer{}, fmt.Errorf("get reuse pointer: %w", otp.ErrNotFound)
	}
	var it PointerItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return otp.Pointer{}, fmt.Errorf("decode reuse pointer: %w", err)
	}
	return it.Pointer(phone, clientID), nil
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// transactOnce writes in as one try with its own random ClientRequestToken:
// the SDK's retry of a try whose response was lost repeats the token and so
// is applied once, while a new try after a cancel is a new request.
func transactOnce(ctx context.Context, db itemAPI, in *dynamodb.TransactWriteItemsInput) error {
	token, err := otp.NewID(nil)
	if err != nil {
		return fmt.Errorf("request token: %w", err)
	}
	in.ClientRequestToken = aws.String(token)
	_, err = db.TransactWriteItems(ctx, in)
	return err
}

// conflictPause is a short jittered pause after a transaction conflict that
// lets the other transaction finish; it returns ctx's error if ctx ends first.
func conflictPause(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(5+rand.IntN(20)) * time.Millisecond):
		return nil
	}
}

// putItem is a transaction's put of item into table under cond.
func putItem(table string, item any, cond expression.ConditionBuilder) (types.TransactWriteItem, error) {
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("marshal: %w", err)
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("build condition: %w", err)
	}
	return types.TransactWriteItem{Put: &types.Put{
		TableName:                 aws.String(table),
		Item:                      av,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}, nil
}
