package render

import (
	"fmt"

	"creditwater/credit"
	"creditwater/letter"
	"creditwater/rating"
)

// CreditReportTitle is the title of the e-credit report's PDF.
const CreditReportTitle = "企业电子信用报告"

// CreditReport lays the e-credit report (电子信用报告, R6.1) out as a
// printable document: the enterprise, the rating, the covered period and
// every dishonesty entry, with the platform's name and the report number
// in the footer. It is the same data the API's myCreditReport shows.
func CreditReport(rep rating.Report, platform string) letter.Plain {
	date := credit.DateString
	basics := []string{
		"报告编号：" + rep.ReportNo,
		"企业名称：" + rep.SubjectName,
		"统一社会信用代码：" + rep.USCC,
		fmt.Sprintf("综合信用评价：%s（%s）", rep.Level, rep.Label()),
		"报告期间：" + date(rep.PeriodFrom) + " 至 " + date(rep.PeriodTo),
		"出具日期：" + date(rep.IssuedAt),
	}
	if rep.PDFSHA256 != "" {
		basics = append(basics, "平台报告 PDF 的 SHA-256："+rep.PDFSHA256)
	}
	entries := []string{"报告期内无失信信息。"}
	if len(rep.Entries) > 0 {
		entries = entries[:0]
		for i, e := range rep.Entries {
			line := fmt.Sprintf("%d. 【%s】%s（决定日期 %s，决定机关 %s", i+1, e.Kind, e.Description, e.DecidedOn, e.Authority)
			if e.DocumentNo != "" {
				line += "，文书号 " + e.DocumentNo
			}
			entries = append(entries, line+"）")
		}
	}
	return letter.Plain{
		Title:   CreditReportTitle,
		Subject: "报告编号 " + rep.ReportNo,
		At:      rep.IssuedAt,
		Sections: []letter.Section{
			{Heading: "一、基本信息", Paragraphs: basics},
			{Heading: "二、失信信息", Paragraphs: entries},
			{Heading: "三、说明", Paragraphs: []string{"本报告内容来自" + platform + "，供企业自行查阅、打印使用；信用信息以平台公示为准。"}},
		},
		Footer: platform + " · 报告编号 " + rep.ReportNo,
	}
}
