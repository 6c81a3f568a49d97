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

	"github.com/cognito-phone-otp/cognito-phone-otp/delivery"
)

// LedgerAPI is the part of the DynamoDB client the ledger uses.
type LedgerAPI interface {
	itemAPI
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// Ledger keeps sent messages, their receipts and the windowed, sharded
// delivery tallies in the challenge table. A message and its tally change
// in one transaction, so a receipt is counted exactly once however often it
// arrives.
type Ledger struct {
	db    LedgerAPI
	table string
	cfg   delivery.Config
	shard func(n int) int
}

// NewLedger returns a ledger over table.
func NewLedger(db LedgerAPI, table string, cfg delivery.Config) (*Ledger, error) {
	if db == nil || table == "" {
		return nil, errors.New("dynamo ledger: client and table are required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("dynamo ledger: %w", err)
	}
	return &Ledger{db: db, table: table, cfg: cfg, shard: rand.IntN}, nil
}

// ledgerTries bounds the tries of one ledger write: a tally shard another
// transaction holds (each try picks a shard anew), or a message a
// concurrent receipt moved (read again and re-judged).
const ledgerTries = 4

// RecordSent: see storetest.Ledger.
func (l *Ledger) RecordSent(ctx context.Context, m delivery.Message) error {
	if err := m.Check(); err != nil {
		return fmt.Errorf("record sent %s/%s: %w", m.Provider, m.ID, err)
	}
	put, err := l.put(FromMessage(m, l.cfg.MessageRetention))
	if err != nil {
		return fmt.Errorf("record sent %s/%s: %w", m.Provider, m.ID, err)
	}
	for try := 1; ; try++ {
		tally, err := l.tallyUpdate(m, delivery.Change(delivery.Message{}, m))
		if err != nil {
			return fmt.Errorf("record sent %s/%s: %w", m.Provider, m.ID, err)
		}
		failed, err := l.transact(ctx, put, tally)
		switch {
		case err != nil:
			return fmt.Errorf("record sent %s/%s: %w", m.Provider, m.ID, err)
		case failed == nil:
			return nil
		case *failed == 0:
			return nil // recorded before: a repeat is counted once
		case try == ledgerTries:
			return fmt.Errorf("record sent %s/%s: transaction conflict after %d tries", m.Provider, m.ID, try)
		}
	}
}

// ApplyReceipt: see storetest.Ledger. The message is read, judged by
// delivery.Message.Advance, and written on condition that its status is
// still the one judged.
func (l *Ledger) ApplyReceipt(ctx context.Context, r delivery.Receipt) (delivery.Applied, error) {
	if err := r.Check(); err != nil {
		return delivery.Applied{}, fmt.Errorf("apply receipt %s/%s: %w", r.Provider, r.MessageID, err)
	}
	for try := 1; ; try++ {
		before, err := l.message(ctx, r.Provider, r.MessageID)
		if err != nil {
			return delivery.Applied{}, fmt.Errorf("apply receipt %s/%s: %w", r.Provider, r.MessageID, err)
		}
		after, changed := before.Advance(r)
		if !changed {
			return delivery.Applied{Before: before, After: before}, nil
		}
		items, err := l.receiptItems(before, after)
		if err != nil {
			return delivery.Applied{}, fmt.Errorf("apply receipt %s/%s: %w", r.Provider, r.MessageID, err)
		}
		failed, err := l.transact(ctx, items...)
		switch {
		case err != nil:
			return delivery.Applied{}, fmt.Errorf("apply receipt %s/%s: %w", r.Provider, r.MessageID, err)
		case failed == nil:
			return delivery.Applied{Before: before, After: after, Changed: true}, nil
		case try == ledgerTries:
			return delivery.Applied{}, fmt.Errorf("apply receipt %s/%s: no stable read after %d tries", r.Provider, r.MessageID, try)
		}
	}
}

// Message is the sent message provider recorded as id, where its receipts
// have taken it (delivery.ErrUnknownMessage when none is recorded): what a
// delivery check reads.
func (l *Ledger) Message(ctx context.Context, provider, id string) (delivery.Message, error) {
	m, err := l.message(ctx, provider, id)
	if err != nil {
		return delivery.Message{}, fmt.Errorf("read message %s/%s: %w", provider, id, err)
	}
	return m, nil
}

// message reads a sent message with a strongly consistent read.
func (l *Ledger) message(ctx context.Context, provider, id string) (delivery.Message, error) {
	out, err := l.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(l.table), Key: KeyOf(MessageKey(provider, id)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return delivery.Message{}, fmt.Errorf("get: %w", err)
	}
	if len(out.Item) == 0 {
		return delivery.Message{}, delivery.ErrUnknownMessage
	}
	var it MessageItem
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return delivery.Message{}, fmt.Errorf("decode message: %w", err)
	}
	m, ok := it.Message()
	if !ok {
		// Written by a newer version: leave it to that version.
		m.Status = delivery.Delivered
	}
	return m, nil
}

// receiptItems: the message's move, on condition it still stands as
// judged, and its tally's change when it reached a final status.
func (l *Ledger) receiptItems(before, after delivery.Message) ([]types.TransactWriteItem, error) {
	upd := expression.Set(expression.Name(AttrMsgStatus), expression.Value(after.Status.String())).
		Set(expression.Name("statusAt"), expression.Value(after.StatusAt.UnixMilli()))
	if after.ErrorCode != "" {
		upd = upd.Set(expression.Name("errorCode"), expression.Value(after.ErrorCode))
	}
	cond := expression.Name(AttrMsgStatus).Equal(expression.Value(before.Status.String()))
	expr, err := expression.NewBuilder().WithCondition(cond).WithUpdate(upd).Build()
	if err != nil {
		return nil, fmt.Errorf("build message update: %w", err)
	}
	items := []types.TransactWriteItem{{Update: &types.Update{
		TableName:                 aws.String(l.table),
		Key:                       KeyOf(MessageKey(after.Provider, after.ID)),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}}
	if change := delivery.Change(before, after); !change.Empty() {
		tally, err := l.tallyUpdate(after, change)
		if err != nil {
			return nil, err
		}
		items = append(items, tally)
	}
	return items, nil
}

// tallyUpdate adds change to one random shard of m's send window.
func (l *Ledger) tallyUpdate(m delivery.Message, change delivery.Tally) (types.TransactWriteItem, error) {
	start := l.cfg.WindowStart(m.SentAt)
	upd := expression.Set(expression.Name(AttrTTL), expression.Value(start.Add(l.cfg.Window+l.cfg.TallyRetention).Unix()))
	add := func(name string, v int64) {
		if v != 0 {
			upd = upd.Add(expression.Name(name), expression.Value(v))
		}
	}
	add(attrSent, change.Sent)
	add(attrDelivered, change.Delivered)
	add(attrUndeliv, change.Undelivered)
	add(attrFailed, change.Failed)
	add(attrTTDMs, change.TimeToDelivered.Milliseconds())
	for code, n := range change.Codes {
		add(attrCodePrefix+code, n)
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return types.TransactWriteItem{}, fmt.Errorf("build tally update: %w", err)
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                 aws.String(l.table),
		Key:                       KeyOf(TallyKey(m.Provider, m.Country, start, l.shard(l.cfg.Shards))),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}}, nil
}

// put is a transaction's put of a new item.
func (l *Ledger) put(item any) (types.TransactWriteItem, error) {
	return putItem(l.table, item, expression.AttributeNotExists(expression.Name(AttrPK)))
}

// transact writes items in one transaction. A cancelled one is not an
// error: failed is the index of the item whose condition failed, or -1 for
// a conflict with another transaction; nil means it was written.
func (l *Ledger) transact(ctx context.Context, items ...types.TransactWriteItem) (failed *int, err error) {
	err = transactOnce(ctx, l.db, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil, err
	}
	conflict := -1
	for i, r := range tce.CancellationReasons {
		switch code := aws.ToString(r.Code); code {
		case "ConditionalCheckFailed":
			return &i, nil
		case "TransactionConflict":
		case "", "None":
		default:
			return nil, fmt.Errorf("cancelled (%s): %w", code, err)
		}
	}
	if err := conflictPause(ctx); err != nil {
		return nil, err
	}
	return &conflict, nil
}

// Tally: see storetest.Ledger. It reads every shard of every window in one
// BatchGetItem per 100 keys.
func (l *Ledger) Tally(ctx context.Context, provider, country string, from, to time.Time) (delivery.Tally, error) {
	var keys []map[string]types.AttributeValue
	for w := l.cfg.WindowStart(from); w.Before(to); w = w.Add(l.cfg.Window) {
		for shard := range l.cfg.Shards {
			keys = append(keys, KeyOf(TallyKey(provider, country, w, shard)))
		}
	}
	var sum delivery.Tally
	for len(keys) > 0 {
		n := min(len(keys), 100)
		if err := l.batchGet(ctx, keys[:n], &sum); err != nil {
			return delivery.Tally{}, fmt.Errorf("tally %s/%s: %w", provider, country, err)
		}
		keys = keys[n:]
	}
	return sum, nil
}

// batchTries bounds the rounds for keys DynamoDB left unprocessed (it does
// under throttling).
const batchTries = 5

func (l *Ledger) batchGet(ctx context.Context, keys []map[string]types.AttributeValue, sum *delivery.Tally) error {
	req := map[string]types.KeysAndAttributes{l.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	for try := 1; len(req) > 0; try++ {
		if try > batchTries {
			return fmt.Errorf("keys still unprocessed after %d tries", batchTries)
		}
		out, err := l.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return fmt.Errorf("batch get: %w", err)
		}
		for _, item := range out.Responses[l.table] {
			sum.Add(tallyOf(item))
		}
		req = out.UnprocessedKeys
	}
	return nil
}
