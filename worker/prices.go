package worker

import (
	"fmt"
	"strconv"
	"strings"
)

// Prices are estimated USD per SMS segment, per provider and destination
// country, for the EstimatedCost metric: only SNS publishes its own spend
// metric, so a Twilio spend alarm needs ours. "*" is any other country.
type Prices map[string]map[string]float64

// ParsePrices reads "sns:US=0.00645,IN=0.0023,*=0.05;twilio:US=0.0079".
func ParsePrices(s string) (Prices, error) {
	p := Prices{}
	s = strings.TrimSpace(s)
	if s == "" {
		return p, nil
	}
	for _, part := range strings.Split(s, ";") {
		provider, list, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || provider == "" {
			return nil, fmt.Errorf("price entry %.30q: want provider:COUNTRY=price,...", part)
		}
		p[provider] = map[string]float64{}
		for _, kv := range strings.Split(list, ",") {
			country, price, ok := strings.Cut(strings.TrimSpace(kv), "=")
			v, err := strconv.ParseFloat(price, 64)
			if !ok || err != nil || v < 0 || v > 10 || !(country == "*" || len(country) == 2) {
				return nil, fmt.Errorf("price %.30q for %s: want COUNTRY=USD, e.g. US=0.0079", kv, provider)
			}
			p[provider][strings.ToUpper(country)] = v
		}
	}
	return p, nil
}

// Estimate is the cost of segments segments to country via provider, and
// whether a price was known.
func (p Prices) Estimate(provider, country string, segments int) (float64, bool) {
	byCountry, ok := p[provider]
	if !ok {
		return 0, false
	}
	v, ok := byCountry[country]
	if !ok {
		v, ok = byCountry["*"]
	}
	return v * float64(segments), ok
}
