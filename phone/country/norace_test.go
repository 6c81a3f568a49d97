//go:build !race

package country_test

const raceEnabled = false
