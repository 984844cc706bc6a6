package models

import (
	"errors"
	"fmt"
)

// Sentinel errors, for errors.Is.
var (
	// ErrInvalidSpec marks a Spec that New or Load cannot build.
	ErrInvalidSpec = errors.New("invalid spec")
	// ErrInvalidConfig marks a TrainConfig or OptimizerConfig that Fit
	// rejects.
	ErrInvalidConfig = errors.New("invalid config")
	// ErrDataShape marks data whose length does not match the model.
	ErrDataShape = errors.New("data shape mismatch")
	// ErrDiverged marks a training run whose loss became NaN or infinite.
	ErrDiverged = errors.New("training diverged")
	// ErrFormat marks a saved model that is corrupt, truncated or does not
	// match its spec.
	ErrFormat = errors.New("bad model file")
	// ErrVersion marks a saved model written by a newer format version.
	ErrVersion = errors.New("unsupported model version")
)

// SpecError reports an invalid Spec. Layer is the 0-based index into
// Spec.Layers, or -1 for Spec.Input and the spec as a whole.
type SpecError struct {
	Layer int
	Type  string // the layer's Type; empty for Layer -1
	Msg   string
}

// Error implements error.
func (e *SpecError) Error() string {
	if e.Layer < 0 {
		return "models: spec: " + e.Msg
	}
	return fmt.Sprintf("models: spec: layer %d (%s): %s", e.Layer, e.Type, e.Msg)
}

// Unwrap returns ErrInvalidSpec.
func (e *SpecError) Unwrap() error { return ErrInvalidSpec }

// ConfigError reports an invalid field of a TrainConfig or OptimizerConfig.
type ConfigError struct {
	Field string // e.g. "BatchSize", "Optimizer.Name"
	Msg   string
}

// Error implements error.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("models: config: %s: %s", e.Field, e.Msg)
}

// Unwrap returns ErrInvalidConfig.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// FileError reports a problem with a saved model. Tensor names the weight
// tensor involved, if any.
type FileError struct {
	Path   string
	Tensor string
	Msg    string
	Err    error // ErrFormat, ErrVersion or an I/O error
}

// Error implements error.
func (e *FileError) Error() string {
	if e.Tensor != "" {
		return fmt.Sprintf("models: %s: tensor %q: %s", e.Path, e.Tensor, e.Msg)
	}
	return fmt.Sprintf("models: %s: %s", e.Path, e.Msg)
}

// Unwrap returns the wrapped error.
func (e *FileError) Unwrap() error { return e.Err }
