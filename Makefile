# The two commands of the README. Both install what is missing first and are idempotent.
.PHONY: demo test setup stack-down

demo: setup
	node bin/firedrill.js demo

test: setup
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

stack-down:
	node bin/firedrill.js stack down
