package keys

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// bip39EnglishText is the BIP39 English word list, byte for byte the
// bitcoin/bips bip-0039/english.txt (SHA-256 2f5eed53…3b24dbda).
//
//go:embed bip39_english.txt
var bip39EnglishText string

// bip39Words is the word list in order; bip39Index maps a word to its
// 11-bit value. Both are filled once at package start and never written
// again.
var bip39Words, bip39Index = loadWordList(bip39EnglishText)

func loadWordList(text string) ([]string, map[string]int) {
	words := strings.Fields(text)
	index := make(map[string]int, len(words))
	for i, w := range words {
		index[w] = i
	}
	return words, index
}

// Errors that ValidateMnemonic wraps, for errors.Is.
var (
	// ErrUnknownWord: a word is not in the BIP39 English word list.
	ErrUnknownWord = errors.New("unknown BIP39 word")
	// ErrWordCount: a BIP39 mnemonic has 12, 15, 18, 21 or 24 words.
	ErrWordCount = errors.New("wrong number of words")
	// ErrChecksum: the words are all valid but the BIP39 checksum fails.
	ErrChecksum = errors.New("BIP39 checksum mismatch")
)

// MnemonicError says what is wrong with a mnemonic, precisely enough for a
// form to highlight the word (BIP39).
type MnemonicError struct {
	// Kind is ErrUnknownWord, ErrWordCount or ErrChecksum.
	Kind error
	// Position is the 1-based position of the unknown word (0 otherwise).
	Position int
	// Word is the unknown word as normalised (lowercase, NFKD).
	Word string
	// Suggestion is the closest word of the list, or "" when none is close.
	Suggestion string
	// Count is the number of words found.
	Count int
}

// Error says what is wrong and how to fix it, naming the word and its
// position for an unknown word.
func (e *MnemonicError) Error() string {
	switch e.Kind {
	case ErrUnknownWord:
		msg := fmt.Sprintf("mnemonic: unknown word %q at position %d: it is not in the BIP39 English word list", e.Word, e.Position)
		if e.Suggestion != "" {
			msg += fmt.Sprintf("; did you mean %q?", e.Suggestion)
		}
		return msg
	case ErrWordCount:
		return fmt.Sprintf("mnemonic: %d words: a BIP39 mnemonic has 12, 15, 18, 21 or 24 words; check that no word is missing or doubled", e.Count)
	default:
		return fmt.Sprintf("mnemonic: the %d words are all in the word list but the checksum does not match: a word is probably mistyped or in the wrong order", e.Count)
	}
}

// Unwrap lets errors.Is match the Kind.
func (e *MnemonicError) Unwrap() error { return e.Kind }

// NewMnemonic draws bits of entropy (128, 160, 192, 224 or 256) from the
// system's secure random source and encodes them as a BIP39 English
// mnemonic of 12 to 24 words.
func NewMnemonic(bits int) (string, error) {
	if err := checkEntropyBits(bits); err != nil {
		return "", err
	}
	entropy := make([]byte, bits/8)
	if _, err := rand.Read(entropy); err != nil {
		return "", fmt.Errorf("new mnemonic: reading secure random bytes: %w", err)
	}
	return MnemonicFromEntropy(entropy)
}

func checkEntropyBits(bits int) error {
	if bits < 128 || bits > 256 || bits%32 != 0 {
		return fmt.Errorf("mnemonic entropy of %d bits: BIP39 takes 128, 160, 192, 224 or 256 bits", bits)
	}
	return nil
}

// MnemonicFromEntropy encodes entropy (16, 20, 24, 28 or 32 bytes) as a
// BIP39 English mnemonic: the entropy followed by the first len/32 bits of
// its SHA-256, split into 11-bit word indexes.
func MnemonicFromEntropy(entropy []byte) (string, error) {
	if err := checkEntropyBits(len(entropy) * 8); err != nil {
		return "", err
	}
	sum := sha256.Sum256(entropy)
	data := append(append([]byte(nil), entropy...), sum[0])
	nWords := (len(entropy)*8 + len(entropy)/4) / 11
	words := make([]string, nWords)
	for i := range words {
		words[i] = bip39Words[bitsAt(data, i*11, 11)]
	}
	return strings.Join(words, " "), nil
}

// bitsAt reads n bits (n <= 16) of data starting at bit offset off,
// most significant bit first.
func bitsAt(data []byte, off, n int) int {
	v := 0
	for i := 0; i < n; i++ {
		bit := off + i
		v = v<<1 | int(data[bit/8]>>(7-uint(bit%8))&1)
	}
	return v
}

// normaliseMnemonic applies BIP39's NFKD normalisation, lowercases and
// splits on any run of whitespace.
func normaliseMnemonic(mnemonic string) []string {
	return strings.Fields(strings.ToLower(norm.NFKD.String(mnemonic)))
}

// EntropyFromMnemonic checks a BIP39 English mnemonic (word list, word
// count, checksum) and returns the entropy it encodes. Its errors are
// *MnemonicError.
func EntropyFromMnemonic(mnemonic string) ([]byte, error) {
	words := normaliseMnemonic(mnemonic)
	idx := make([]int, len(words))
	for i, w := range words {
		v, ok := bip39Index[w]
		if !ok {
			return nil, &MnemonicError{Kind: ErrUnknownWord, Position: i + 1, Word: w, Suggestion: suggestWord(w), Count: len(words)}
		}
		idx[i] = v
	}
	switch len(words) {
	case 12, 15, 18, 21, 24:
	default:
		return nil, &MnemonicError{Kind: ErrWordCount, Count: len(words)}
	}
	totalBits := len(words) * 11
	csBits := totalBits / 33
	data := make([]byte, (totalBits+7)/8)
	for i, v := range idx {
		for b := 0; b < 11; b++ {
			if v>>(10-b)&1 == 1 {
				bit := i*11 + b
				data[bit/8] |= 1 << (7 - uint(bit%8))
			}
		}
	}
	entropy := data[:(totalBits-csBits)/8]
	sum := sha256.Sum256(entropy)
	if bitsAt(data, totalBits-csBits, csBits) != bitsAt(sum[:], 0, csBits) {
		return nil, &MnemonicError{Kind: ErrChecksum, Count: len(words)}
	}
	return append([]byte(nil), entropy...), nil
}

// ValidateMnemonic checks a BIP39 English mnemonic and returns a
// *MnemonicError naming the first problem: an unknown word (with its
// position and a close suggestion), a wrong word count, or a bad checksum.
// Case and extra whitespace are forgiven.
func ValidateMnemonic(mnemonic string) error {
	_, err := EntropyFromMnemonic(mnemonic)
	return err
}

// SeedFromMnemonic turns a BIP39 mnemonic and optional passphrase into the
// 64-byte seed: PBKDF2-HMAC-SHA512, 2048 iterations, salt "mnemonic" +
// passphrase, both NFKD-normalised (BIP39 "From mnemonic to seed"). The
// mnemonic is validated first so a typo cannot silently give another
// wallet; its words are rejoined with single spaces.
func SeedFromMnemonic(mnemonic, passphrase string) ([]byte, error) {
	if err := ValidateMnemonic(mnemonic); err != nil {
		return nil, err
	}
	return mnemonicSeed(mnemonic, passphrase)
}

// mnemonicSeed is BIP39's seed function alone, without the word-list
// check: PBKDF2-HMAC-SHA512 over the NFKD forms of the words (rejoined by
// single spaces) and of "mnemonic" + passphrase.
func mnemonicSeed(mnemonic, passphrase string) ([]byte, error) {
	m := strings.Join(normaliseMnemonic(mnemonic), " ")
	salt := "mnemonic" + norm.NFKD.String(passphrase)
	seed, err := pbkdf2.Key(sha512.New, m, []byte(salt), 2048, 64)
	if err != nil {
		return nil, fmt.Errorf("mnemonic to seed: %w", err)
	}
	return seed, nil
}

// CompleteWord lists the BIP39 English words that start with prefix
// (case and NFKD forgiven), in list order, for word-by-word entry of a
// mnemonic. Four letters always single out one word (BIP39 words are
// unique in their first four letters); an empty prefix lists nothing.
func CompleteWord(prefix string) []string {
	p := strings.TrimSpace(strings.ToLower(norm.NFKD.String(prefix)))
	if p == "" {
		return nil
	}
	i := sort.SearchStrings(bip39Words, p)
	var out []string
	for ; i < len(bip39Words) && strings.HasPrefix(bip39Words[i], p); i++ {
		out = append(out, bip39Words[i])
	}
	return out
}

// suggestWord finds the word list entry closest to w: a unique entry
// sharing its first four letters (BIP39 words are unique in four), else
// the smallest edit distance (with transpositions) up to 1 for words of
// four letters or fewer and 2 for longer ones, ties broken by list
// order. It returns "" when nothing is that close.
func suggestWord(w string) string {
	if len(w) >= 3 {
		prefix := w
		if len(prefix) > 4 {
			prefix = prefix[:4]
		}
		i := sort.SearchStrings(bip39Words, prefix)
		if i < len(bip39Words) && strings.HasPrefix(bip39Words[i], prefix) &&
			(i+1 == len(bip39Words) || !strings.HasPrefix(bip39Words[i+1], prefix)) {
			return bip39Words[i]
		}
	}
	// Two edits turn any short word into too many others ("xyz" into
	// "eye"): allow one edit up to four letters, two beyond.
	limit := 2
	if len(w) > 4 {
		limit = 3
	}
	best, bestDist := "", limit
	for _, cand := range bip39Words {
		if d := editDistance(w, cand, bestDist); d < bestDist {
			best, bestDist = cand, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b
// (insertions, deletions, substitutions, adjacent transpositions), or a
// value >= limit once it is known to be at least limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d >= limit || -d >= limit {
		return limit
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
