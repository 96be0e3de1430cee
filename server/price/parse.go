package price

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// decode parses a provider answer keeping numbers exact (json.Number).
func decode(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("answer is not JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("answer has data after its JSON value")
	}
	return v, nil
}

// toPrice accepts a JSON number or a numeric string and checks it is a
// finite, positive price.
func toPrice(v any, where string) (float64, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	default:
		return 0, fmt.Errorf("%s is %s, not a number", where, kind(v))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is %q, not a number", where, s)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
		return 0, fmt.Errorf("%s is %q, not a positive price", where, s)
	}
	return f, nil
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	default:
		return "a number"
	}
}

// ParseCoinGecko reads a CoinGecko /simple/price answer,
// {"bitcoin":{"usd":12345.6}}, for currency (lower case).
func ParseCoinGecko(body []byte, currency string) (float64, error) {
	v, err := decode(body)
	if err != nil {
		return 0, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return 0, fmt.Errorf("answer is %s, expected an object with a \"bitcoin\" entry", kind(v))
	}
	if msg, ok := root["error"].(string); ok {
		return 0, fmt.Errorf("provider error: %s", msg)
	}
	btc, ok := root["bitcoin"].(map[string]any)
	if !ok {
		return 0, errors.New("answer has no \"bitcoin\" object")
	}
	p, ok := btc[currency]
	if !ok {
		return 0, fmt.Errorf("answer has no price in %q: the provider does not offer this currency", currency)
	}
	return toPrice(p, "bitcoin."+currency)
}

// ParseKraken reads a Kraken /0/public/Ticker answer,
// {"error":[],"result":{"XXBTZUSD":{"c":["12345.6","0.1"]}}}: the price is
// the last trade ("c"[0]) of the single pair in result.
func ParseKraken(body []byte) (float64, error) {
	v, err := decode(body)
	if err != nil {
		return 0, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return 0, fmt.Errorf("answer is %s, expected an object", kind(v))
	}
	if errs, ok := root["error"].([]any); ok && len(errs) > 0 {
		msgs := make([]string, 0, len(errs))
		for _, e := range errs {
			msgs = append(msgs, fmt.Sprint(e))
		}
		return 0, fmt.Errorf("provider error: %s", strings.Join(msgs, "; "))
	}
	result, ok := root["result"].(map[string]any)
	if !ok {
		return 0, errors.New("answer has no \"result\" object")
	}
	if len(result) != 1 {
		return 0, fmt.Errorf("answer has %d pairs in \"result\", expected exactly one", len(result))
	}
	for pair, t := range result {
		ticker, ok := t.(map[string]any)
		if !ok {
			return 0, fmt.Errorf("result.%s is %s, expected an object", pair, kind(t))
		}
		last, ok := ticker["c"].([]any)
		if !ok || len(last) == 0 {
			return 0, fmt.Errorf("result.%s has no last trade \"c\"", pair)
		}
		return toPrice(last[0], "result."+pair+".c[0]")
	}
	return 0, errors.New("unreachable")
}

// ParseJSONPath reads the number at path in body. The path is
// dot-separated; each element is an object key, or an array index for
// arrays ("data.0.price"). An empty path means the whole answer.
func ParseJSONPath(body []byte, path string) (float64, error) {
	v, err := decode(body)
	if err != nil {
		return 0, err
	}
	if path == "" {
		return toPrice(v, "the answer")
	}
	walked := ""
	for _, key := range strings.Split(path, ".") {
		if walked != "" {
			walked += "."
		}
		walked += key
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[key]
			if !ok {
				return 0, fmt.Errorf("answer has no %q", walked)
			}
			v = next
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(x) {
				return 0, fmt.Errorf("answer has no %q (array of %d)", walked, len(x))
			}
			v = x[i]
		default:
			return 0, fmt.Errorf("answer has no %q: its parent is %s", walked, kind(v))
		}
	}
	return toPrice(v, path)
}
