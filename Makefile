# Builds the Lambda functions for the provided.al2023 runtime on arm64.
#
#   make build      dist/<function>/bootstrap and dist/<function>.zip for the
#                   eight functions, without SAM (upload the zips anywhere)
#   make test       the module's tests (scripts/test)
#   sam build       calls the build-<LogicalId> targets below: template.yaml
#                   gives each function Metadata BuildMethod: makefile
#
# The flags are scripts/build's: CGO off, -tags lambda.norpc, stripped.

FUNCTIONS := define-auth-challenge create-auth-challenge verify-auth-challenge \
	pre-sign-up post-authentication sms-worker sms-receipts custom-sms-sender
GOBUILD := GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w'

.PHONY: build test clean FORCE

build: $(FUNCTIONS:%=dist/%/bootstrap)
	go run ./deploy/zipbootstrap $(FUNCTIONS:%=dist/%)
	@for f in $(FUNCTIONS); do \
		printf '%-24s bootstrap %9s bytes   zip %9s bytes\n' $$f \
			"$$(wc -c <dist/$$f/bootstrap)" "$$(wc -c <dist/$$f.zip)"; \
	done

# Always handed to go build: its cache decides what is stale.
dist/%/bootstrap: FORCE
	$(GOBUILD) -o $@ ./cmd/$*

test:
	scripts/test

clean:
	rm -rf dist

# --- sam build ----------------------------------------------------------------
# One target per AWS::Serverless::Function logical id in template.yaml, naming
# its cmd/<function>; deploy/template_test.go checks the pairs. SAM sets
# ARTIFACTS_DIR and zips what lands there.
sam-build = $(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is unset: run these through sam build))$(GOBUILD) -o $(ARTIFACTS_DIR)/bootstrap ./cmd/$(1)

.PHONY: build-PreSignUpFunction build-DefineAuthChallengeFunction \
	build-CreateAuthChallengeFunction build-VerifyAuthChallengeFunction \
	build-PostAuthenticationFunction build-SmsWorkerFunction build-SmsReceiptsFunction \
	build-CustomSmsSenderFunction

build-PreSignUpFunction: ; $(call sam-build,pre-sign-up)
build-DefineAuthChallengeFunction: ; $(call sam-build,define-auth-challenge)
build-CreateAuthChallengeFunction: ; $(call sam-build,create-auth-challenge)
build-VerifyAuthChallengeFunction: ; $(call sam-build,verify-auth-challenge)
build-PostAuthenticationFunction: ; $(call sam-build,post-authentication)
build-SmsWorkerFunction: ; $(call sam-build,sms-worker)
build-SmsReceiptsFunction: ; $(call sam-build,sms-receipts)
# Only deployed with the template's CustomSmsSender parameter On.
build-CustomSmsSenderFunction: ; $(call sam-build,custom-sms-sender)
