// Command fail is a function whose init fails: with FAIL=exit it just
// exits 1, otherwise it reports through /init/error first, as Lambda asks.
package main

import (
	"net/http"
	"os"
	"strings"
)

func main() {
	if os.Getenv("FAIL") != "exit" {
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		body := `{"errorMessage":"configuration: OTP_TABLE_NAME: required","errorType":"Runtime.InitError"}`
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.InitError")
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}
	os.Exit(1)
}
