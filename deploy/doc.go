// Package deploy holds the tests of the deployment: template.yaml (AWS SAM)
// and the Makefile that builds the Lambda functions. SAM CLI does not run on
// our machines, so these tests are what stands between a typo and a failed
// deploy: they parse the template with goformation and check the wiring,
// the permissions, the environment each function reads, and that every
// function's code builds; and that every relative link of README.md and
// docs/*.md resolves. It holds no code the functions use.
package deploy
