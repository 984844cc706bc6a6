package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/deepfin/deepfin/finance/credit"
	"github.com/deepfin/deepfin/finance/credit/server"
)

func Example() {
	d, err := credit.LoadCSV("../testdata/german_200.csv", credit.LoadOptions{Target: "class", Bad: "2"})
	if err != nil {
		panic(err)
	}
	sc, err := credit.FitScorecard(context.Background(), d, nil, credit.ScorecardConfig{Fitter: credit.NewtonLogistic{}})
	if err != nil {
		panic(err)
	}
	h, err := server.New(&credit.Bundle{Scorecard: sc}, server.Config{})
	if err != nil {
		panic(err)
	}

	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/v1/score", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	applicant := `{"checking_status":"A12","duration_months":48,"credit_history":"A32","purpose":"A43",
		"credit_amount":5951,"savings":"A61","employment_since":"A73","installment_rate_pct":2,
		"personal_status_sex":"A92","other_debtors":"A101","residence_since":2,"property":"A121",
		"age_years":22,"other_installment_plans":"A143","housing":"A152","existing_credits":1,
		"job":"A173","num_dependents":1,"telephone":"A191","foreign_worker":"A201"}`

	w := post(applicant)
	var r server.Result
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		panic(err)
	}
	fmt.Printf("%d score %.0f, PD %.2f, first reason %s\n", w.Code, r.Score, r.PD, r.Reasons[0].Attribute)

	w = post(strings.Replace(applicant, `"age_years":22`, `"age_years":"twenty-two"`, 1))
	var e server.ErrorResponse
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		panic(err)
	}
	fmt.Println(w.Code, e.Field)
	fmt.Println(e.Error)
	// Output:
	// 200 score 458, PD 0.73, first reason duration_months
	// 400 age_years
	// field "age_years": wrong type: got string, want number
}
