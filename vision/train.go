package vision

import (
	"context"
	"fmt"
	"time"

	"github.com/deepfin/deepfin/models"
)

// Accuracy returns the fraction of images whose largest logit (first on
// ties) is their label, computed with a models.Predictor. It panics if p
// does not take the images' shape; empty images give 0.
func Accuracy(p *models.Predictor, im *Images) float64 {
	if im.N == 0 {
		return 0
	}
	if p.Inputs() != im.C*im.H*im.W {
		panic(fmt.Sprintf("vision: predictor takes %d inputs, images have %d", p.Inputs(), im.C*im.H*im.W))
	}
	out, err := p.Predict(nil, im.X)
	if err != nil {
		panic("vision: " + err.Error()) // unreachable: lengths checked above
	}
	k := p.Outputs()
	right := 0
	for i := 0; i < im.N; i++ {
		row := out[i*k : (i+1)*k]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == int(im.Y[i]) {
			right++
		}
	}
	return float64(right) / float64(im.N)
}

// EpochResult is one epoch of TrainClassifier.
type EpochResult struct {
	Epoch        int     `json:"epoch"` // 1-based
	TrainLoss    float64 `json:"train_loss"`
	TestAccuracy float64 `json:"test_accuracy"`
	// Seconds is the epoch's training time (test evaluation excluded).
	Seconds      float64 `json:"seconds"`
	ImagesPerSec float64 `json:"train_images_per_s"`
}

// ClassifierResult is the outcome of TrainClassifier.
type ClassifierResult struct {
	Params            int           `json:"params"`
	Epochs            []EpochResult `json:"epochs"`
	FinalTestAccuracy float64       `json:"final_test_accuracy"`
	BestTestAccuracy  float64       `json:"best_test_accuracy"`
	TrainSeconds      float64       `json:"train_seconds"`
	ImagesPerSec      float64       `json:"train_images_per_s"`
}

// TrainClassifier trains m on train with softmax cross-entropy and cfg
// (Loss and Validation are set here; cfg.Progress is called as in Fit)
// and measures the test accuracy after every epoch. The optimizer state
// carries over between epochs (one Fit call).
func TrainClassifier(ctx context.Context, m *models.Model, train, test *Images, cfg models.TrainConfig) (*ClassifierResult, error) {
	cfg.Loss = models.LossSoftmaxCE
	cfg.Validation = nil
	res := &ClassifierResult{Params: m.NumParams()}
	user := cfg.Progress
	var (
		epochStart = time.Now()
		trainTime  time.Duration
	)
	cfg.Progress = func(p models.Progress) {
		if p.Done {
			d := time.Since(epochStart)
			trainTime += d
			acc := Accuracy(m.Predictor(), test)
			res.Epochs = append(res.Epochs, EpochResult{Epoch: p.Epoch, TrainLoss: p.TrainLoss, TestAccuracy: acc,
				Seconds: d.Seconds(), ImagesPerSec: float64(train.N) / d.Seconds()})
			res.BestTestAccuracy = max(res.BestTestAccuracy, acc)
		}
		if user != nil {
			user(p)
		}
		if p.Done {
			epochStart = time.Now()
		}
	}
	if _, err := m.Fit(ctx, train.Dataset(), cfg); err != nil {
		return res, err
	}
	if n := len(res.Epochs); n > 0 {
		res.FinalTestAccuracy = res.Epochs[n-1].TestAccuracy
	}
	res.TrainSeconds = trainTime.Seconds()
	res.ImagesPerSec = float64(train.N*len(res.Epochs)) / trainTime.Seconds()
	return res, nil
}
