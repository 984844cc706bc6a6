package credit_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/deepfin/deepfin/finance/credit"
)

func Example() {
	d, err := credit.LoadCSV("testdata/german_200.csv", credit.LoadOptions{Target: "class", Bad: "2"})
	if err != nil {
		panic(err)
	}
	sc, err := credit.FitScorecard(context.Background(), d, nil, credit.ScorecardConfig{Fitter: credit.NewtonLogistic{}})
	if err != nil {
		panic(err)
	}
	x, err := sc.Schema.ValidateApplicant(map[string]any{
		"checking_status": "A11", "duration_months": 48, "credit_history": "A32", "purpose": "A43",
		"credit_amount": 5951, "savings": "A61", "employment_since": "A73", "installment_rate_pct": 2,
		"personal_status_sex": "A92", "other_debtors": "A101", "residence_since": 2, "property": "A121",
		"age_years": 22, "other_installment_plans": "A143", "housing": "A152", "existing_credits": 1,
		"job": "A173", "num_dependents": 1, "telephone": "A191", "foreign_worker": "A201",
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("score %.0f, PD %.2f\n", sc.Score(x), sc.PD(x))
	for _, r := range sc.Reasons(x, nil, 2) {
		fmt.Printf("reason: %s in %s (-%.0f points)\n", r.Attribute, r.Bin, r.Loss)
	}
	_, err = sc.Schema.ValidateApplicant(map[string]any{"checking_status": "A19"})
	var fe *credit.FieldError
	if errors.As(err, &fe) { // the first of several field errors
		fmt.Println(fe)
	}
	// Output:
	// score 449, PD 0.79
	// reason: duration_months in (36, +inf) (-100 points)
	// reason: checking_status in A11 (-65 points)
	// credit: field "checking_status": unknown category "A19" (allowed: A11, A12, A13, A14)
}

func ExampleAUC() {
	y := []int{0, 0, 1, 1}
	pd := []float64{0.1, 0.4, 0.35, 0.8}
	ks, _ := credit.KS(y, pd)
	fmt.Printf("AUC %.2f, Gini %.2f, KS %.2f\n", credit.AUC(y, pd), credit.Gini(y, pd), ks)
	// Output: AUC 0.75, Gini 0.50, KS 0.50
}

func ExampleScaling_PD() {
	s := credit.DefaultScaling()
	fmt.Printf("offset %.2f, factor %.2f, PD at 600: %.4f, at 620: %.4f\n", s.Offset(), s.Factor(), s.PD(600), s.PD(620))
	// Output: offset 487.12, factor 28.85, PD at 600: 0.0196, at 620: 0.0099
}
