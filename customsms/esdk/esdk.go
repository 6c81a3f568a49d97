// Package esdk opens the codes Cognito hands a Custom SMS Sender trigger:
// messages of the AWS Encryption SDK whose data key is wrapped by the user
// pool's KMS key. It uses the official AWS Encryption SDK for Go with a
// KMS keyring restricted to one key ARN, and checks that the message was
// made for the expected user pool (encryption context "userpool-id").
// It never logs, and its errors never hold a plaintext.
package esdk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	mpl "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygenerated"
	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdk "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygenerated"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/cognito-phone-otp/cognito-phone-otp/internal/charclass"
)

// ContextPoolID is the encryption context key under which Cognito names
// the user pool a code was encrypted for; the key policy AWS documents for
// custom sender triggers conditions kms:Encrypt on it too.
const ContextPoolID = "userpool-id"

// maxDataKeys bounds the encrypted data keys a message may carry: Cognito
// wraps under one key, and the limit keeps a crafted message from making
// us try many (each a KMS call).
const maxDataKeys = 3

// ErrUndecryptable: the ciphertext is not an Encryption SDK message this
// key opens for this pool (wrong key, wrong pool, altered, truncated).
var ErrUndecryptable = errors.New("code cannot be decrypted")

var (
	partitionTail = charclass.New("a-z-")
	regionChars   = charclass.New("a-z0-9-")
	keyIDChars    = charclass.New("A-Za-z0-9-")
)

// ValidKeyARN reports whether s is a KMS key ARN (not an alias or a bare
// id: a strict keyring needs the ARN to match what Cognito recorded):
// ^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}$, checked
// by hand (as a regexp it cost 110 KB at init). No class in it holds a
// colon, so the ARN's six colon-separated fields are the pattern's.
func ValidKeyARN(s string) bool {
	f := strings.Split(s, ":")
	if len(f) != 6 || f[0] != "arn" || f[2] != "kms" {
		return false
	}
	partition, ok := strings.CutPrefix(f[1], "aws")
	key, isKey := strings.CutPrefix(f[5], "key/")
	return ok && partitionTail.Match(partition, 0, len(partition)) &&
		regionChars.Match(f[3], 1, len(f[3])) &&
		charclass.Digits.Match(f[4], 12, 12) &&
		isKey && keyIDChars.Match(key, 1, 128)
}

// sdkMu serializes every call into the Encryption SDK: its generated
// (Dafny) runtime sets flags on shared constants lazily, which is a data
// race when two calls run at once, in one Codec or two. A Lambda runs one
// event at a time, so only the local stack ever waits here.
var sdkMu sync.Mutex

// Codec decrypts (and, for tests and the local stack, encrypts as Cognito
// does) under one KMS key. Safe for concurrent use: calls are serialized.
type Codec struct {
	client  *esdk.Client
	keyring mpltypes.IKeyring
	keyARN  string
}

// New returns a Codec for keyARN through client (a KMS client; point it at
// local-kms with AWS_ENDPOINT_URL_KMS or a base endpoint).
func New(ctx context.Context, client *kms.Client, keyARN string) (*Codec, error) {
	if !ValidKeyARN(keyARN) {
		return nil, fmt.Errorf("KMS key %.80q: want a key ARN, arn:aws:kms:<region>:<account>:key/<id>", keyARN)
	}
	sdkMu.Lock()
	defer sdkMu.Unlock()
	mp, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
	if err != nil {
		return nil, fmt.Errorf("material providers: %w", err)
	}
	kr, err := mp.CreateAwsKmsKeyring(ctx, mpltypes.CreateAwsKmsKeyringInput{KmsClient: client, KmsKeyId: keyARN})
	if err != nil {
		return nil, fmt.Errorf("KMS keyring: %w", err)
	}
	// Cognito's messages may use an algorithm suite without key
	// commitment: allow decrypting them, always encrypt with it.
	policy := mpltypes.ESDKCommitmentPolicyRequireEncryptAllowDecrypt
	limit := int64(maxDataKeys)
	c, err := esdk.NewClient(esdktypes.AwsEncryptionSdkConfig{CommitmentPolicy: &policy, MaxEncryptedDataKeys: &limit})
	if err != nil {
		return nil, fmt.Errorf("encryption SDK: %w", err)
	}
	return &Codec{client: c, keyring: kr, keyARN: keyARN}, nil
}

// KeyARN is the key the Codec uses.
func (c *Codec) KeyARN() string { return c.keyARN }

// Decrypt opens ciphertext made for userPoolID. Every failure wraps
// ErrUndecryptable; the cause is kept (it names no plaintext) for the log.
func (c *Codec) Decrypt(ctx context.Context, ciphertext []byte, userPoolID string) ([]byte, error) {
	if userPoolID == "" {
		return nil, fmt.Errorf("%w: no user pool id", ErrUndecryptable)
	}
	sdkMu.Lock()
	defer sdkMu.Unlock()
	out, err := c.client.Decrypt(ctx, esdktypes.DecryptInput{
		Ciphertext:        ciphertext,
		Keyring:           c.keyring,
		EncryptionContext: map[string]string{ContextPoolID: userPoolID},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUndecryptable, err)
	}
	// Decrypt checks that the pairs given are in the message; check the
	// value read back too, so no reading of that rule can let another
	// pool's code through.
	if out.EncryptionContext[ContextPoolID] != userPoolID {
		return nil, fmt.Errorf("%w: made for another user pool", ErrUndecryptable)
	}
	return out.Plaintext, nil
}

// Encrypt makes what Cognito puts in request.code (before base64): an
// Encryption SDK message under the key, for userPoolID.
func (c *Codec) Encrypt(ctx context.Context, plaintext []byte, userPoolID string) ([]byte, error) {
	sdkMu.Lock()
	defer sdkMu.Unlock()
	out, err := c.client.Encrypt(ctx, esdktypes.EncryptInput{
		Plaintext:         plaintext,
		Keyring:           c.keyring,
		EncryptionContext: map[string]string{ContextPoolID: userPoolID},
	})
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return out.Ciphertext, nil
}
