# The two commands of the README. Both install what is missing first and are idempotent.
.PHONY: demo test setup stack-down

demo: setup
	npx firedrill demo

test: setup
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

stack-down:
	npx firedrill stack down
