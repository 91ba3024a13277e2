package reports

import (
	"sort"
	"strings"

	"github.com/shoko-audit/shoko/engine"
)

// paperChapter is a chapter of the published white paper with its sections, in the paper's order
// (ソナーサービス White Paper 第 1.2 版). The customer white paper follows this structure, and the
// audit report's chart groups controls by it.
type paperChapter struct {
	Title    engine.Text
	Sections []engine.Text
}

func txt(ja, en string) engine.Text { return engine.Text{JA: ja, EN: en} }

// paperStructure is the white paper's table of contents. Sections without a testable claim stay
// in it so the regenerated paper keeps the published order; they simply carry no control.
var paperStructure = []paperChapter{
	{txt("クラウドコンピューティングのための情報セキュリティ方針", "Information security policy for cloud computing"), []engine.Text{
		txt("クラウドコンピューティングに関する情報セキュリティ方針", "Information security policy for cloud computing"),
		txt("情報セキュリティ組織", "Information security organisation"),
		txt("地理的所在地", "Geographical location"),
		txt("外部クラウドサービス", "External cloud services"),
		txt("責任範囲", "Scope of responsibility"),
		txt("情報セキュリティの意識向上, 教育及び訓練", "Information security awareness, education and training"),
		txt("情報セキュリティのパフォーマンス評価", "Information security performance evaluation"),
		txt("インシデント対応プロセス", "Incident response process"),
	}},
	{txt("開発/調達", "Development and procurement"), []engine.Text{
		txt("開発プロセス", "Development process"),
		txt("サプライチェーン", "Supply chain"),
	}},
	{txt("アプリケーションのセキュリティ機能", "Security functions of the application"), []engine.Text{
		txt("情報セキュリティ機能", "Information security functions"),
		txt("情報のラベル付け", "Labelling of information"),
		txt("利用者アクセスの管理", "User access management"),
		txt("認証情報の管理", "Management of authentication information"),
		txt("ユーティリティプログラム", "Utility programs"),
		txt("暗号化", "Encryption"),
	}},
	{txt("運用", "Operations"), []engine.Text{
		txt("変更", "Changes"),
		txt("管理者用手順", "Administrator procedures"),
		txt("バックアップ", "Backup"),
		txt("ログ", "Logging"),
		txt("クラウドサービスの監視", "Monitoring of the cloud service"),
		txt("技術的脆弱性の管理", "Technical vulnerability management"),
		txt("ネットワーク", "Network"),
		txt("容量・能力の管理", "Capacity management"),
		txt("負荷分散/冗長化", "Load balancing and redundancy"),
		txt("インシデント対応", "Incident response"),
		txt("サービス利用停止後のデータの扱い", "Data after the end of the service"),
		txt("装置のセキュリティを保った処分又は再利用", "Secure disposal or re-use of equipment"),
		txt("一時的ファイルの削除", "Deletion of temporary files"),
	}},
	{txt("その他", "Other"), []engine.Text{
		txt("証拠の収集", "Collection of evidence"),
		txt("適用法令及び契約上の要求事項", "Applicable legislation and contractual requirements"),
		txt("知的財産権", "Intellectual property rights"),
		txt("記録の保護", "Protection of records"),
		txt("暗号化機能に対する規制", "Regulation of cryptographic controls"),
		txt("個人識別情報 (PII) の利用目的", "Purpose of use of personally identifiable information (PII)"),
		txt("個人識別情報 (PII) の第三者提供", "Provision of PII to third parties"),
	}},
	{txt("第3者認証", "Third-party certification"), []engine.Text{
		txt("ISO/IEC27001", "ISO/IEC 27001"),
		txt("ISO/IEC27017", "ISO/IEC 27017"),
		txt("ISO/IEC27018", "ISO/IEC 27018"),
	}},
}

// sectionAliases map the short section names used in the claims list to the paper's headings.
var sectionAliases = map[string]string{
	"PII の第三者提供":   "個人識別情報 (PII) の第三者提供",
	"PII の利用目的":    "個人識別情報 (PII) の利用目的",
	"法令・官公庁":       "証拠の収集",
	"装置の処分":        "装置のセキュリティを保った処分又は再利用",
	"情報セキュリティ方針":   "クラウドコンピューティングに関する情報セキュリティ方針",
	"意識向上, 教育及び訓練": "情報セキュリティの意識向上, 教育及び訓練",
	"パフォーマンス評価":    "情報セキュリティのパフォーマンス評価",
	// POL-01 names the chapter, but its claim is the policy section's.
	"クラウドコンピューティングのための情報セキュリティ方針": "クラウドコンピューティングに関する情報セキュリティ方針",
}

// paperPos is where a control's section sits in the paper: chapter and section index (-1 for
// the chapter's own text).
type paperPos struct{ Chapter, Section int }

// locate finds a control's section (its Japanese heading) in the paper: the exact heading, an
// alias, or a heading the section name starts with ("ログ (時刻同期)" is under "ログ"). A control
// filed under a chapter title itself ("第3者認証") gets Section -1: the chapter's own text,
// before its first section.
func locate(section string) (paperPos, bool) {
	s := strings.TrimSpace(section)
	if a, ok := sectionAliases[s]; ok {
		s = a
	}
	best, bestLen := paperPos{}, 0
	for ci, ch := range paperStructure {
		if ch.Title.JA == s {
			return paperPos{ci, -1}, true
		}
		for si, sec := range ch.Sections {
			if sec.JA == s {
				return paperPos{ci, si}, true
			}
			// The longest heading that prefixes the name wins, so "暗号化機能に対する規制" is not
			// filed under "暗号化".
			if strings.HasPrefix(s, sec.JA) && len(sec.JA) > bestLen {
				best, bestLen = paperPos{ci, si}, len(sec.JA)
			}
		}
	}
	return best, bestLen > 0
}

// sectionGroup is a white-paper section with the controls filed under it.
type sectionGroup struct {
	Chapter engine.Text // empty for controls whose section the paper lacks
	Title   engine.Text
	Items   []item
	// chapterLevel marks the group of a chapter's own text (Title is the chapter title).
	chapterLevel bool
}

// bySection files the items under the paper's sections in the paper's order. Sections without
// controls are kept when keepEmpty (the customer white paper shows the whole structure). Controls
// whose section the paper does not have come last, grouped by their own section name.
func bySection(items []item, keepEmpty bool) []sectionGroup {
	var groups []sectionGroup
	index := map[paperPos]int{}
	for ci, ch := range paperStructure {
		index[paperPos{ci, -1}] = len(groups)
		groups = append(groups, sectionGroup{Chapter: ch.Title, Title: ch.Title, chapterLevel: true})
		for si, sec := range ch.Sections {
			index[paperPos{ci, si}] = len(groups)
			groups = append(groups, sectionGroup{Chapter: ch.Title, Title: sec})
		}
	}
	other := map[string]int{}
	for _, it := range items {
		if pos, ok := locate(it.Control.Section.JA); ok {
			g := index[pos]
			groups[g].Items = append(groups[g].Items, it)
			continue
		}
		key := it.Control.Section.JA
		if _, ok := other[key]; !ok {
			other[key] = len(groups)
			groups = append(groups, sectionGroup{Title: it.Control.Section})
		}
		groups[other[key]].Items = append(groups[other[key]].Items, it)
	}
	out := groups[:0]
	for _, g := range groups {
		// A chapter's own group exists only for controls filed under the chapter title.
		if len(g.Items) > 0 || (keepEmpty && !g.chapterLevel) {
			out = append(out, g)
		}
	}
	return out
}

// isoClauses are the top-level clauses of ISO/IEC 27002:2013, which ISO/IEC 27017:2015 keeps
// (its CLD.x controls extend clause x).
var isoClauses = map[string]engine.Text{
	"5":  txt("情報セキュリティのための方針群", "Information security policies"),
	"6":  txt("情報セキュリティのための組織", "Organization of information security"),
	"7":  txt("人的資源のセキュリティ", "Human resource security"),
	"8":  txt("資産の管理", "Asset management"),
	"9":  txt("アクセス制御", "Access control"),
	"10": txt("暗号", "Cryptography"),
	"11": txt("物理的及び環境的セキュリティ", "Physical and environmental security"),
	"12": txt("運用のセキュリティ", "Operations security"),
	"13": txt("通信のセキュリティ", "Communications security"),
	"14": txt("システムの取得、開発及び保守", "System acquisition, development and maintenance"),
	"15": txt("供給者関係", "Supplier relationships"),
	"16": txt("情報セキュリティインシデント管理", "Information security incident management"),
	"17": txt("事業継続マネジメントにおける情報セキュリティの側面", "Information security aspects of business continuity"),
	"18": txt("順守", "Compliance"),
}

// clauseGroup is an ISO clause with the items mapped to it.
type clauseGroup struct {
	Key   string
	Label string
	Items []item
}

// byClause groups items by the ISO clause they map to: the 27002/27017 top-level clause, ISO/IEC
// 27018 Annex A as one group, and unmapped controls last. A control mapped to two clauses counts
// in both.
func byClause(items []item, lang string) []clauseGroup {
	t := tr(lang)
	groups := map[string]*clauseGroup{}
	var order []string
	add := func(key, label string, it item) {
		g, ok := groups[key]
		if !ok {
			g = &clauseGroup{Key: key, Label: label}
			groups[key] = g
			order = append(order, key)
		}
		// A control mapped to two refs of one clause counts once.
		if n := len(g.Items); n > 0 && g.Items[n-1].Result.ID == it.Result.ID {
			return
		}
		g.Items = append(g.Items, it)
	}
	for _, it := range items {
		if len(it.Control.Mappings) == 0 {
			add("~", t("ISO 対応付けなし", "Not mapped to ISO"), it)
			continue
		}
		for _, m := range it.Control.Mappings {
			if strings.Contains(m.Framework, "27018") {
				add("~27018", t("ISO/IEC 27018 附属書A", "ISO/IEC 27018 Annex A"), it)
				continue
			}
			ref := strings.TrimPrefix(strings.TrimPrefix(m.Ref, "CLD."), "A.")
			clause, _, _ := strings.Cut(ref, ".")
			name, ok := isoClauses[clause]
			if !ok {
				add("~"+m.Framework, m.Framework, it)
				continue
			}
			add(clauseKey(clause), clause+" "+name.Lang(lang), it)
		}
	}
	sort.Strings(order)
	out := make([]clauseGroup, 0, len(order))
	for _, k := range order {
		out = append(out, *groups[k])
	}
	return out
}

// clauseKey sorts clause "5" before "10" and the "~" groups after every number.
func clauseKey(clause string) string {
	if len(clause) == 1 {
		return "0" + clause
	}
	return clause
}
