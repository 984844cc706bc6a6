package nlp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenize(t *testing.T) {
	cases := []struct {
		name string
		tk   Tokenizer
		in   string
		want []string
	}{
		{"empty", Tokenizer{}, "", nil},
		{"blank", Tokenizer{}, " \t\n ", nil},
		{"punctuation split", Tokenizer{}, "Hello, world!", []string{"hello", ",", "world", "!"}},
		{"br tags removed", Tokenizer{}, "Good.<br /><br />Bad", []string{"good", ".", "bad"}},
		{"closing and attribute tags", Tokenizer{}, `<p class="x">Hi</p>`, []string{"hi"}},
		{"entities decoded", Tokenizer{}, "Tom &amp; Jerry&#39;s", []string{"tom", "&", "jerry's"}},
		{"less-than is not a tag", Tokenizer{}, "a < b > c", []string{"a", "<", "b", ">", "c"}},
		{"keep tags", Tokenizer{KeepTags: true}, "a<br/>b", []string{"a", "<", "br", "/", ">", "b"}},
		{"unicode lower-casing", Tokenizer{}, "ÉTÉ À Ørsted", []string{"été", "à", "ørsted"}},
		{"keep case", Tokenizer{KeepCase: true}, "EUR Mn", []string{"EUR", "Mn"}},
		{"numbers kept", Tokenizer{}, "rose 5.2 % to EUR 1,000.5 mn.", []string{"rose", "5.2", "%", "to", "eur", "1,000.5", "mn", "."}},
		{"numbers normalised", Tokenizer{Numbers: NumbersNormalize}, "rose 5.2% in 2010", []string{"rose", NumberToken, "%", "in", NumberToken}},
		{"mixed tokens are words", Tokenizer{Numbers: NumbersNormalize}, "EUR131m Q3", []string{"eur131m", "q3"}},
		{"sentence-final dot after digit", Tokenizer{}, "up 5.", []string{"up", "5", "."}},
		{"apostrophes inside words", Tokenizer{}, "Don’t stop 'em", []string{"don't", "stop", "'", "em"}},
		{"hyphen split", Tokenizer{}, "slow-moving", []string{"slow", "-", "moving"}},
		{"symbols are tokens", Tokenizer{}, "€5 $", []string{"€", "5", "$"}},
		{"invalid utf-8 dropped", Tokenizer{}, "ab\xffcd", []string{"ab", "cd"}},
		{"combining marks stay", Tokenizer{}, "Cafe\u0301", []string{"cafe\u0301"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.tk.Tokenize(tc.in))
		})
	}
}

func TestTokenizerJSON(t *testing.T) {
	tk := Tokenizer{KeepCase: true, Numbers: NumbersNormalize}
	b, err := json.Marshal(tk)
	require.NoError(t, err)
	assert.JSONEq(t, `{"keep_case":true,"numbers":"normalize"}`, string(b))
	var back Tokenizer
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, tk, back)

	var zero Tokenizer
	require.NoError(t, json.Unmarshal([]byte(`{}`), &zero))
	assert.Equal(t, Tokenizer{}, zero)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"numbers":"drop"}`), &back), ErrFormat)
	_, err = json.Marshal(Tokenizer{Numbers: 7})
	assert.ErrorIs(t, err, ErrInvalidArgument)
}

func ExampleTokenizer_Tokenize() {
	tk := Tokenizer{Numbers: NumbersNormalize}
	fmt.Println(strings.Join(tk.Tokenize("Net sales ROSE 5.2 % to EUR 205.5 mn.<br />Good!"), " | "))
	// Output:
	// net | sales | rose | <num> | % | to | eur | <num> | mn | . | good | !
}
