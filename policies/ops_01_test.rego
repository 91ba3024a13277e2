package shoko.controls.ops_01_test

import data.shoko.controls.ops_01

page(purpose, status) := {
	"kind": "probe.http", "digest": sprintf("sha256:%s", [purpose]), "scope": {"source": "http", "url": purpose}, "collected_at": "2026-11-27T00:00:00Z",
	"data": {"url": sprintf("https://support.example.jp/%s", [purpose]), "purpose": purpose, "status": status, "final_url": sprintf("https://support.example.jp/%s", [purpose])},
}

run_input(items) := {
	"control": {"id": "OPS-01", "parameters": {"required_purposes": ["manual", "faq", "chatbot"]}},
	"evidence": {"probe.http": items},
	"run": {"now": "2026-11-27T00:00:00Z", "period": {"start": "2026-01-01T00:00:00Z", "end": "2026-11-27T00:00:00Z"}},
}

test_all_pages_answer_passes if {
	f := ops_01.findings with input as run_input([page("manual", 200), page("faq", 200), page("chatbot", 204), page("policy", 404)])
	count(f) == 3
	every x in f {
		x.status == "pass"
	}
}

test_missing_pages_fail if {
	f := ops_01.findings with input as run_input([page("manual", 200), page("faq", 404)])
	fails := {[x.code, x.resource] | some x in f; x.status == "fail"}
	fails == {["page_unavailable", "https://support.example.jp/faq"], ["purpose_not_probed", "chatbot"]}
}
