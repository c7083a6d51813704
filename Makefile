# Shortcuts; the README's commands work without make too.
.PHONY: run test vet

run:
	go run ./cmd/placementbot

test:
	go test -count=1 ./...

vet:
	gofmt -l . && go vet ./...
