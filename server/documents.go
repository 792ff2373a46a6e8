package server

import (
	"net/http"
	"strings"

	"creditwater/apperr"
	"creditwater/apply"
	"creditwater/graph"
	"creditwater/letter"
	"creditwater/ops"
	"creditwater/render"
)

// commitmentDocument serves a signed commitment letter as printable HTML
// or PDF (R2.2) to those who may read it (its signer, users bound to its
// subject, staff), with the same session as the API.
func (s *Server) commitmentDocument(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id, ext, ok := strings.Cut(file, ".")
	if !ok || (ext != "html" && ext != "pdf") {
		http.NotFound(w, r)
		return
	}
	c, err := s.apply.Commitment(r.Context(), id)
	if err != nil {
		s.writeAppError(w, r, err)
		return
	}
	f := apply.LetterFields(c)
	w.Header().Set("Cache-Control", "private, no-store")
	if ext == "html" {
		page := letter.HTML(f, c.SHA256)
		w.Header().Set("Content-Security-Policy", letterCSP(page))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
		return
	}
	pdf, err := letter.PDF(f, c.SHA256, letter.PDFOptions{FontPath: s.cfg.Apply.CJKFont})
	if err != nil {
		s.writeAppError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="commitment-`+c.ID+`.pdf"`)
	_, _ = w.Write(pdf)
}

// creditReportDocument serves the caller's e-credit report as a PDF, to
// whom myCreditReport serves it (the legal representative or an agent with
// the VIEW scope, after a fresh face verification; audited as a report
// lookup), with the same session as the API. The PDF is rendered from the
// same report data (render.CreditReport) with the letters' CJK font.
func (s *Server) creditReportDocument(w http.ResponseWriter, r *http.Request) {
	rep, err := s.ent.MyReport(r.Context(), s.ratings, r.URL.Query().Get("subjectId"))
	if err != nil {
		s.writeAppError(w, r, err)
		return
	}
	pdf, err := letter.PlainPDF(render.CreditReport(*rep, s.cfg.CreditPlatform.Name), letter.PDFOptions{FontPath: s.cfg.Apply.CJKFont})
	if err != nil {
		s.writeAppError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="credit-report-`+fileSafe(rep.ReportNo)+`.pdf"`)
	_, _ = w.Write(pdf)
}

// writeAppError answers a plain HTTP request with the error vocabulary.
func (s *Server) writeAppError(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	if e == nil || e.Code == apperr.Internal {
		s.log.ErrorContext(r.Context(), "内部错误", "path", r.URL.Path, "err", err.Error())
		writeGraphQLError(w, r, http.StatusInternalServerError, string(apperr.Internal), "内部错误")
		return
	}
	status := map[apperr.Code]int{apperr.NotFound: 404, apperr.Invalid: 400, apperr.Unauthenticated: 401, apperr.Forbidden: 403,
		apperr.Conflict: 409, apperr.FailedPrecondition: 412, apperr.Unavailable: 503, apperr.RateLimited: 429}[e.Code]
	if e.Code == apperr.Unauthenticated {
		if authErr := graph.AuthError(r.Context()); authErr != nil && apperr.As(authErr) != nil {
			e = apperr.As(authErr)
		}
	}
	writeGraphQLError(w, r, status, string(e.Code), e.Message)
}

// evidenceFile serves an evidence file (of a repair, an objection or an
// agent's letter of authorisation) to those its owner's check allows, as an
// attachment that browsers do not sniff.
func (s *Server) evidenceFile(w http.ResponseWriter, r *http.Request) {
	ev, err := s.evidence.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeAppError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ev.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="evidence-`+ev.PublicID+`"`)
	_, _ = w.Write(ev.Data)
}

// statisticsCSV serves the management statistics of ?from=&to= (RFC 3339;
// default the last CW_STATS_DEFAULT_DAYS days) as a CSV file for Excel
// (R8.3), to staff only, with the same session as the API.
func (s *Server) statisticsCSV(w http.ResponseWriter, r *http.Request) {
	from, err := ops.ParseTime("from", r.URL.Query().Get("from"))
	if err != nil {
		s.writeAppError(w, r, err)
		return
	}
	to, err := ops.ParseTime("to", r.URL.Query().Get("to"))
	if err != nil {
		s.writeAppError(w, r, err)
		return
	}
	st, err := s.ops.Statistics(r.Context(), from, to)
	if err != nil {
		s.writeAppError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="statistics-`+st.Period.From.Format("20060102")+"-"+st.Period.To.Format("20060102")+`.csv"`)
	if err := ops.WriteCSV(w, st); err != nil {
		s.log.WarnContext(r.Context(), "statistics export interrupted", "err", err.Error())
	}
}

// fileSafe keeps the letters, digits and hyphens of s, for a file name in
// a header.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, s)
}
