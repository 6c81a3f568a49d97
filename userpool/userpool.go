package userpool

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// API is the part of the Cognito Identity Provider client this package uses.
type API interface {
	AdminUpdateUserAttributes(ctx context.Context, in *cip.AdminUpdateUserAttributesInput, optFns ...func(*cip.Options)) (*cip.AdminUpdateUserAttributesOutput, error)
	AdminConfirmSignUp(ctx context.Context, in *cip.AdminConfirmSignUpInput, optFns ...func(*cip.Options)) (*cip.AdminConfirmSignUpOutput, error)
	DescribeUserPool(ctx context.Context, in *cip.DescribeUserPoolInput, optFns ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	ListUserPoolClients(ctx context.Context, in *cip.ListUserPoolClientsInput, optFns ...func(*cip.Options)) (*cip.ListUserPoolClientsOutput, error)
	DescribeUserPoolClient(ctx context.Context, in *cip.DescribeUserPoolClientInput, optFns ...func(*cip.Options)) (*cip.DescribeUserPoolClientOutput, error)
	ListUsers(ctx context.Context, in *cip.ListUsersInput, optFns ...func(*cip.Options)) (*cip.ListUsersOutput, error)
}

var _ API = (*cip.Client)(nil)

// Pool runs admin operations on Cognito user pools.
type Pool struct {
	api API
}

// New returns a Pool that calls api.
func New(api API) *Pool {
	return &Pool{api: api}
}

// MarkPhoneVerified sets phone_number_verified=true on a user, as
// PostAuthentication does once the user has proven the number with a code.
func (p *Pool) MarkPhoneVerified(ctx context.Context, userPoolID, username string) error {
	_, err := p.api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(userPoolID),
		Username:   aws.String(username),
		UserAttributes: []types.AttributeType{
			{Name: aws.String("phone_number_verified"), Value: aws.String("true")},
		},
	})
	if err != nil {
		return fmt.Errorf("mark phone verified for user %s in pool %s: %w", SafeUsername(username), userPoolID, err)
	}
	return nil
}
