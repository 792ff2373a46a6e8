package letter

import (
	"bytes"
	"html/template"
)

// page is the printable HTML layout of the template. html/template escapes
// every value for its context.
var page = template.Must(template.New("letter").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
@page { size: A4; margin: 25mm 22mm 20mm 22mm; }
* { box-sizing: border-box; }
body {
  font-family: "Songti SC", "STSong", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC",
    "Noto Serif SC", "AR PL UMing CN", "AR PL SungtiL GB", serif;
  font-size: 12pt; line-height: 1.9; color: #000; background: #fff;
  max-width: 166mm; margin: 0 auto; padding: 0;
}
h1 { text-align: center; font-size: 20pt; font-weight: bold; letter-spacing: 0.15em; margin: 0 0 1.2em; }
.field { display: flex; align-items: flex-end; margin: 0.35em 0; }
.label { white-space: nowrap; }
.value { flex: 1; border-bottom: 1px solid #000; padding: 0 0.3em; word-break: break-all; overflow-wrap: anywhere; }
.box { font-size: 1.15em; margin-left: 0.3em; }
.intro { margin: 1em 0 0.3em; }
.pledge { text-indent: 2em; margin: 0.3em 0; text-align: justify; }
.sign { margin: 2.5em 0 0 48%; }
.sign p { margin: 0.8em 0; display: flex; align-items: flex-end; }
.sign .value { text-align: center; }
.date { text-align: right; margin: 1.8em 0 0; padding-right: 2em; }
footer { margin-top: 3em; padding-top: 0.4em; border-top: 1px solid #999; font-size: 8pt; line-height: 1.5; color: #444; }
footer code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; word-break: break-all; }
@media print { footer { break-inside: avoid; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{range .Fields}}<div class="field"><span class="label">{{.Label}}</span><span class="value">{{.Value}}</span></div>
{{end}}<div class="field relation"><span class="label">{{.RelationLabel}}</span><span><span class="box">{{.OwnerMark}}</span>业主/<span class="box">{{.TenantMark}}</span>租户</span></div>
<p class="intro">{{.Intro}}</p>
{{range .Pledges}}<p class="pledge">{{.}}</p>
{{end}}<div class="sign">
<p><span class="label">{{.SignerLabel}}</span><span class="value">{{.Signer}}</span><span class="label">{{.SignerMark}}</span></p>
<p><span class="label">{{.LegalLabel}}</span><span class="value">{{.LegalRep}}</span><span class="label">{{.LegalMark}}</span></p>
</div>
<p class="date">{{.Date}}</p>
<footer>文本 SHA-256：<code>{{.Hash}}</code><br>模板版本：<code>{{.Version}}</code></footer>
</body>
</html>
`))

// HTML returns a printable, self-contained HTML page (A4) of the letter with
// f's values, laid out like the template, and a footer naming hash (the
// SHA-256 of Text(f)) and TemplateVersion (R2.2). All values are escaped.
// It never fails: the template is fixed and the page is written to memory.
func HTML(f Fields, hash string) []byte {
	d := newDoc(f)
	data := struct {
		doc
		Title, RelationLabel, OwnerMark, TenantMark, Intro string
		Pledges                                            [5]string
		SignerLabel, SignerMark, LegalLabel, LegalMark     string
		Hash, Version                                      string
	}{
		doc: d, Title: Title, RelationLabel: relationLabel,
		OwnerMark: mark(d.Owner), TenantMark: mark(d.Tenant), Intro: Intro, Pledges: pledges,
		SignerLabel: signerLabel, SignerMark: signerMark, LegalLabel: legalLabel, LegalMark: legalMark,
		Hash: hash, Version: TemplateVersion,
	}
	var b bytes.Buffer
	if err := page.Execute(&b, data); err != nil {
		// Only a programming error in the fixed template can get here.
		panic("letter: HTML template: " + err.Error())
	}
	return b.Bytes()
}
