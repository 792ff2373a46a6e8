// Package docurl is the one place that builds the URLs of the documents
// the server serves (commitment letters as HTML and PDF, evidence files),
// and the route patterns that serve them, so that a link in the API and
// the handler behind it cannot drift apart.
package docurl

// Kind is a kind of served document.
type Kind int

// The served documents.
const (
	// CommitmentHTML is a signed commitment letter as printable HTML.
	CommitmentHTML Kind = iota
	// CommitmentPDF is a signed commitment letter as PDF.
	CommitmentPDF
	// Evidence is an uploaded evidence file, by its public ID.
	Evidence
)

// Route patterns (net/http ServeMux) of the documents.
const (
	CommitmentRoute = "GET /commitments/{file}"
	EvidenceRoute   = "GET /evidence/{id}"
	// CreditReportPDF is the caller's e-credit report as PDF (?subjectId=).
	CreditReportPDF = "/credit-report.pdf"
	// StatisticsCSV is the management statistics as CSV (?from=&to=).
	StatisticsCSV = "/exports/statistics.csv"
)

// For returns the URL path of the document of kind k with id.
func For(k Kind, id string) string {
	switch k {
	case CommitmentHTML:
		return "/commitments/" + id + ".html"
	case CommitmentPDF:
		return "/commitments/" + id + ".pdf"
	}
	return "/evidence/" + id
}
