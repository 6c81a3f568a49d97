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
	"github.com/cognito-phone-otp/cognito-phone-otp/schema"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store is the DynamoDB challenge store.
type Store struct {
	db    API
	table string
}

// New returns a store over table.
func New(db API, table string) (*Store, error) {
	if db == nil {
		return nil, errors.New("dynamo store: nil client")
	}
	if table == "" {
		return nil, errors.New("dynamo store: empty table name")
	}
	return &Store{db: db, table: table}, nil
}

// conflictTries bounds retries of a transaction cancelled only because a
// concurrent transaction touched the same counter; shards keep this rare.
const conflictTries = 3

// PutChallenge bumps every counter below its max and writes c, in one
// transaction: all or nothing. A counter at its max gives *otp.LimitError.
func (s *Store) PutChallenge(ctx context.Context, c otp.Challenge, counters []otp.Counter) error {
	in, err := s.putChallengeInput(c, counters)
	if err != nil {
		return err
	}
	for try := 1; ; try++ {
		_, err = s.db.TransactWriteItems(ctx, in)
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
		// A short jittered pause lets the other transaction finish.
		select {
		case <-ctx.Done():
			return fmt.Errorf("put challenge %s: %w", c.ID, ctx.Err())
		case <-time.After(time.Duration(try*(5+rand.IntN(20))) * time.Millisecond):
		}
	}
}

func (s *Store) putChallengeInput(c otp.Challenge, counters []otp.Counter) (*dynamodb.TransactWriteItemsInput, error) {
	items := make([]types.TransactWriteItem, 0, len(counters)+1)
	for _, ctr := range counters {
		cond := expression.Or(
			expression.AttributeNotExists(expression.Name(schema.AttrPK)),
			expression.Name(schema.AttrCount).LessThan(expression.Value(ctr.Max())),
		)
		upd := expression.Add(expression.Name(schema.AttrCount), expression.Value(1)).
			Set(expression.Name(schema.AttrTTL), expression.Value(schema.CounterTTL(ctr)))
		expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
		if err != nil {
			return nil, fmt.Errorf("build counter update: %w", err)
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(s.table),
			Key:                       schema.KeyOf(schema.CounterKey(ctr)),
			UpdateExpression:          expr.Update(),
			ConditionExpression:       expr.Condition(),
			ExpressionAttributeNames:  expr.Names(),
			ExpressionAttributeValues: expr.Values(),
		}})
	}
	av, err := attributevalue.MarshalMap(schema.FromChallenge(c))
	if err != nil {
		return nil, fmt.Errorf("marshal challenge: %w", err)
	}
	expr, err := expression.NewBuilder().
		WithCondition(expression.AttributeNotExists(expression.Name(schema.AttrPK))).Build()
	if err != nil {
		return nil, fmt.Errorf("build challenge condition: %w", err)
	}
	items = append(items, types.TransactWriteItem{Put: &types.Put{
		TableName:                aws.String(s.table),
		Item:                     av,
		ConditionExpression:      expr.Condition(),
		ExpressionAttributeNames: expr.Names(),
	}})
	return &dynamodb.TransactWriteItemsInput{TransactItems: items}, nil
}

// cancelReason maps a cancelled transaction to the caller's error, or nil
// when it was only a conflict with another transaction (worth a retry).
func cancelReason(tce *types.TransactionCanceledException, c otp.Challenge, counters []otp.Counter) error {
	conflict := false
	for i, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "ConditionalCheckFailed":
			if i < len(counters) {
				return &otp.LimitError{Counter: counters[i]}
			}
			return fmt.Errorf("put challenge %s: %w", c.ID, otp.ErrExists)
		case "TransactionConflict":
			conflict = true
		case "", "None":
		default:
			return fmt.Errorf("put challenge %s: cancelled (%s): %w", c.ID, aws.ToString(r.Code), tce)
		}
	}
	if !conflict {
		return fmt.Errorf("put challenge %s: %w", c.ID, tce)
	}
	return nil
}

// GetChallenge reads a challenge with a strongly consistent read.
func (s *Store) GetChallenge(ctx context.Context, id string) (otp.Challenge, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            schema.KeyOf(schema.ChallengeKey(id)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return otp.Challenge{}, fmt.Errorf("get challenge %s: %w", id, err)
	}
	if out.Item == nil {
		return otp.Challenge{}, fmt.Errorf("get challenge %s: %w", id, otp.ErrNotFound)
	}
	var it schema.ChallengeItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return otp.Challenge{}, fmt.Errorf("decode challenge %s: %w", id, err)
	}
	return it.Challenge(), nil
}

// VoidChallenge marks a challenge as abandoned: it never verifies or sends.
func (s *Store) VoidChallenge(ctx context.Context, id string) error {
	err := s.update(ctx, id,
		expression.Set(expression.Name(schema.AttrVoided), expression.Value(true)),
		expression.AttributeExists(expression.Name(schema.AttrPK)), types.ReturnValueNone, nil)
	if isConditionFailed(err) {
		return fmt.Errorf("void challenge %s: %w", id, otp.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("void challenge %s: %w", id, err)
	}
	return nil
}

// CountAttempt adds one to the challenge's attempts only if it is below the
// cap, unconsumed, not voided and not expired at now, and returns the
// challenge as updated. Otherwise nothing changes and the error is
// otp.ErrNotAnswerable.
func (s *Store) CountAttempt(ctx context.Context, id string, now time.Time) (otp.Challenge, error) {
	cond := expression.And(
		expression.AttributeExists(expression.Name(schema.AttrPK)),
		expression.Name(schema.AttrAttempts).LessThan(expression.Name(schema.AttrMax)),
		expression.Name(schema.AttrConsumed).Equal(expression.Value(false)),
		expression.Name(schema.AttrVoided).Equal(expression.Value(false)),
		expression.Name(schema.AttrExpires).GreaterThan(expression.Value(now.UnixMilli())),
	)
	var it schema.ChallengeItem
	err := s.update(ctx, id,
		expression.Add(expression.Name(schema.AttrAttempts), expression.Value(1)),
		cond, types.ReturnValueAllNew, &it)
	if isConditionFailed(err) {
		return otp.Challenge{}, fmt.Errorf("count attempt on %s: %w", id, otp.ErrNotAnswerable)
	}
	if err != nil {
		return otp.Challenge{}, fmt.Errorf("count attempt on %s: %w", id, err)
	}
	return it.Challenge(), nil
}

// Consume marks the challenge used; only the first caller succeeds, the rest
// get otp.ErrAlreadyConsumed.
func (s *Store) Consume(ctx context.Context, id string) error {
	err := s.update(ctx, id,
		expression.Set(expression.Name(schema.AttrConsumed), expression.Value(true)),
		expression.Name(schema.AttrConsumed).Equal(expression.Value(false)), types.ReturnValueNone, nil)
	if isConditionFailed(err) {
		return fmt.Errorf("consume %s: %w", id, otp.ErrAlreadyConsumed)
	}
	if err != nil {
		return fmt.Errorf("consume %s: %w", id, err)
	}
	return nil
}

func (s *Store) update(ctx context.Context, id string, upd expression.UpdateBuilder, cond expression.ConditionBuilder, rv types.ReturnValue, out any) error {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build expression: %w", err)
	}
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       schema.KeyOf(schema.ChallengeKey(id)),
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
		Key:            schema.KeyOf(schema.PointerKey(phone, clientID)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return otp.Pointer{}, fmt.Errorf("get reuse pointer: %w", err)
	}
	if out.Item == nil {
		return otp.Pointer{}, fmt.Errorf("get reuse pointer: %w", otp.ErrNotFound)
	}
	var it schema.PointerItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return otp.Pointer{}, fmt.Errorf("decode reuse pointer: %w", err)
	}
	return it.Pointer(phone, clientID), nil
}

// SetPointer stores p only if no pointer exists, the existing one still
// names prevID (the one the caller read, "" for none), or the existing one
// was created at or before staleBefore (its cooldown is over). Otherwise a
// concurrent Create won and the error is otp.ErrPointerTaken.
func (s *Store) SetPointer(ctx context.Context, p otp.Pointer, prevID string, staleBefore time.Time) error {
	av, err := attributevalue.MarshalMap(schema.FromPointer(p))
	if err != nil {
		return fmt.Errorf("marshal reuse pointer: %w", err)
	}
	cond := expression.Or(
		expression.AttributeNotExists(expression.Name(schema.AttrPK)),
		expression.Name(schema.AttrCreated).LessThanEqual(expression.Value(staleBefore.UnixMilli())),
	)
	if prevID != "" {
		cond = cond.Or(expression.Name(schema.AttrChalID).Equal(expression.Value(prevID)))
	}
	expr, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build pointer condition: %w", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      av,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if isConditionFailed(err) {
		return fmt.Errorf("set reuse pointer: %w", otp.ErrPointerTaken)
	}
	if err != nil {
		return fmt.Errorf("set reuse pointer: %w", err)
	}
	return nil
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
