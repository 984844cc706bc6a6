package nlp_test

import (
	"context"
	"fmt"

	"github.com/deepfin/deepfin/nlp"
	"github.com/deepfin/deepfin/nlp/signals"
)

// A TextClassifier is a signals.Classifier, like the baseline.
var _ signals.Classifier = (*nlp.TextClassifier)(nil)

func ExampleFitTextClassifier() {
	var texts []string
	var labels []int
	for i := 0; i < 60; i++ {
		if i%2 == 0 {
			texts = append(texts, fmt.Sprintf("profit rose in quarter %d", i))
			labels = append(labels, 1)
		} else {
			texts = append(texts, fmt.Sprintf("profit fell in quarter %d", i))
			labels = append(labels, 0)
		}
	}
	c, err := nlp.FitTextClassifier(context.Background(), texts, labels, []string{"down", "up"},
		nlp.TextConfig{Kind: nlp.KindMean, EmbedDim: 4, Epochs: 40, LearningRate: 0.05, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, _ := c.Predict([]string{"profit rose", "profit fell"})
	fmt.Println(c.Classes()[pred[0]], c.Classes()[pred[1]])
	// Output: up down
}
