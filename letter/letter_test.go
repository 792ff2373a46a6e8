package letter

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"creditwater/apperr"
)

// sample returns valid fields signed at 2026-11-26 03:00 UTC (11:00 in
// Shanghai).
func sample() Fields {
	return Fields{
		UnitName:       "韶关市浈江区示例水务科技有限公司",
		Address:        "广东省韶关市浈江区风度北路 123 号 A 栋 401 室",
		USCC:           "914403001922038216",
		LegalRepName:   "张三",
		IDTypeLabel:    "居民身份证",
		IDNumberMasked: "4402**********123X",
		NoProofReason:  "历史遗留建筑，产权证书正在补办中。",
		Relation:       Owner,
		Signer:         "韶关市浈江区示例水务科技有限公司",
		SignedAt:       time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC),
	}
}

// R2.1: the letter's text is the template of attachment 2 line by line.
func TestTextReproducesTemplate_R2_1(t *testing.T) {
	f := sample()
	want := strings.Join([]string{
		"信用办水承诺书",
		"申请用水单位名称：韶关市浈江区示例水务科技有限公司",
		"申请用水地址：广东省韶关市浈江区风度北路 123 号 A 栋 401 室",
		"统一社会信用代码：914403001922038216",
		"法定代表人姓名：张三",
		"法定代表人身份证件类型：居民身份证",
		"法定代表人身份证件号码：4402**********123X",
		"无法提供产权证明原因：历史遗留建筑，产权证书正在补办中。",
		"申请单位与用水地址对应物业权属的关系： ☑业主/☐租户",
		"我单位郑重承诺：",
		"一、所提供资料均合法、真实、准确和有效，不存在伪造证明材料、隐瞒实际情况、妨害供水企业或其他主体权益等情况。",
		"二、用水地址对应物业权属为我单位合法拥有或合法使用，不存在违章、违建或其他违法情形及纠纷。",
		"三、严格遵守国家法律、法规、规章和政策规定，依法用水，不窃水，不破坏、哄抢、盗窃供水设施。",
		"四、自觉履行合同义务，诚信用水，不拖欠水费，不违约用水，做好自有产权界面供水设备、设施的运行维护，根据供水企业通知及时整改安全隐患。",
		"五、若未遵守本承诺内容，将依照有关法律、法规、规章、政策或合同约定承担相应责任，并自愿接受、承担终止供用水关系的处置以及由此产生的后果。",
		"承诺人：韶关市浈江区示例水务科技有限公司（签章）",
		"法定代表人：张三（签字）",
		"2026 年 11 月 26 日",
	}, "\n") + "\n"
	if got := Text(f); got != want {
		t.Fatalf("Text:\n%s\nwant:\n%s", got, want)
	}
}

// R2.1: the relation check box, the date in Asia/Shanghai and value
// normalisation.
func TestTextDetails_R2_1(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Fields)
		want   []string
		absent []string
	}{
		{"owner", func(f *Fields) { f.Relation = Owner }, []string{"关系： ☑业主/☐租户\n"}, []string{"☑租户"}},
		{"tenant", func(f *Fields) { f.Relation = Tenant }, []string{"关系： ☐业主/☑租户\n"}, []string{"☑业主"}},
		{"date crosses midnight in Shanghai", func(f *Fields) { f.SignedAt = time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC) }, []string{"\n2027 年 1 月 1 日\n"}, nil},
		{"reason on one line", func(f *Fields) { f.NoProofReason = "  第一行\r\n第二行\t 结束  " }, []string{"\n无法提供产权证明原因：第一行 第二行 结束\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sample()
			tt.modify(&f)
			got := Text(f)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Text lacks %q:\n%s", w, got)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(got, a) {
					t.Errorf("Text has %q:\n%s", a, got)
				}
			}
			if n := strings.Count(got, "\n"); n != 18 {
				t.Errorf("Text has %d lines, want the template's 18", n)
			}
		})
	}
}

// R2.2: the stored hash identifies the text: same fields, same hash; any
// changed value, a different hash.
func TestHashIdentifiesLetter_R2_2(t *testing.T) {
	base := Hash(Text(sample()))
	if len(base) != 64 || strings.ToLower(base) != base {
		t.Fatalf("Hash = %q, want 64 lowercase hex digits", base)
	}
	if again := Hash(Text(sample())); again != base {
		t.Fatalf("same fields gave hashes %s and %s", base, again)
	}
	if got := Hash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Hash(abc) = %s, want the SHA-256 test vector", got)
	}
	changes := map[string]func(*Fields){
		"reason":   func(f *Fields) { f.NoProofReason += "补充" },
		"relation": func(f *Fields) { f.Relation = Tenant },
		"date":     func(f *Fields) { f.SignedAt = f.SignedAt.AddDate(0, 0, 1) },
		"signer":   func(f *Fields) { f.Signer = "李四" },
		"idNumber": func(f *Fields) { f.IDNumberMasked = "4403**********123X" },
	}
	for name, change := range changes {
		f := sample()
		change(&f)
		if h := Hash(Text(f)); h == base {
			t.Errorf("changing %s kept the hash %s", name, h)
		}
	}
}

func TestValidate_R2_1(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Fields)
		field  string // "" means valid
	}{
		{"valid", func(*Fields) {}, ""},
		{"tenant", func(f *Fields) { f.Relation = Tenant }, ""},
		{"reason 5 chars", func(f *Fields) { f.NoProofReason = "五个字原因" }, ""},
		{"reason 500 chars", func(f *Fields) { f.NoProofReason = strings.Repeat("因", 500) }, ""},
		{"reason empty", func(f *Fields) { f.NoProofReason = "" }, "noProofReason"},
		{"reason 4 chars after trimming", func(f *Fields) { f.NoProofReason = "  四个字啊  " }, "noProofReason"},
		{"reason 501 chars", func(f *Fields) { f.NoProofReason = strings.Repeat("因", 501) }, "noProofReason"},
		{"reason with NUL", func(f *Fields) { f.NoProofReason = "正在补办\x00中" }, "noProofReason"},
		{"reason not UTF-8", func(f *Fields) { f.NoProofReason = "正在补办中\xff" }, "noProofReason"},
		{"relation empty", func(f *Fields) { f.Relation = "" }, "relation"},
		{"relation lower case", func(f *Fields) { f.Relation = "owner" }, "relation"},
		{"unit name blank", func(f *Fields) { f.UnitName = "  " }, "unitName"},
		{"address empty", func(f *Fields) { f.Address = "" }, "address"},
		{"uscc empty", func(f *Fields) { f.USCC = "" }, "uscc"},
		{"legal rep empty", func(f *Fields) { f.LegalRepName = "" }, "legalRepName"},
		{"id type empty", func(f *Fields) { f.IDTypeLabel = "" }, "idType"},
		{"id number empty", func(f *Fields) { f.IDNumberMasked = "" }, "idNumber"},
		{"address too long", func(f *Fields) { f.Address = strings.Repeat("路", 201) }, "address"},
		{"signer empty", func(f *Fields) { f.Signer = "" }, "signer"},
		{"signed at zero", func(f *Fields) { f.SignedAt = time.Time{} }, "signedAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sample()
			tt.modify(&f)
			err := Validate(f)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || e.Field != tt.field {
				t.Fatalf("Validate = %v, want INVALID on field %q", err, tt.field)
			}
			if !utf8.ValidString(e.Message) || e.Message == "" {
				t.Fatalf("message %q is not a valid, non-empty text", e.Message)
			}
		})
	}
}

// The template constants are the seed's wording.
func TestPledgesVerbatim_R2_1(t *testing.T) {
	p := Pledges()
	for i, prefix := range []string{"一、", "二、", "三、", "四、", "五、"} {
		if !strings.HasPrefix(p[i], prefix) || !strings.HasSuffix(p[i], "。") {
			t.Errorf("pledge %d = %q", i+1, p[i])
		}
	}
	p[0] = "changed"
	if Pledges()[0] == "changed" {
		t.Fatal("Pledges returned the package's own array")
	}
}
