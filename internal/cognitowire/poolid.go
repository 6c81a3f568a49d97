package cognitowire

import "regexp"

// poolIDPattern is a user pool id as AWS issues them: a region (us-east-1,
// us-gov-west-1, us-isob-east-1), '_', then letters and digits. The API
// reference's own pattern ([\w-]+_[0-9a-zA-Z]+) is looser; the stricter one
// catches a pasted client id or ARN at start-up rather than at sign-in.
var poolIDPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+_[0-9A-Za-z]+$`)

// maxPoolID is UserPoolId's maximum length in the API reference.
const maxPoolID = 55

// ValidPoolID reports whether id is a user pool id. The local stack
// (otp-local) and the sign-in client (its signin) both ask it, so one
// accepts exactly the ids the other does.
func ValidPoolID(id string) bool {
	return len(id) <= maxPoolID && poolIDPattern.MatchString(id)
}
