# Build a static binary, then ship it alone in a minimal image as a non-root user.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/placementbot ./cmd/placementbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/placementbot /placementbot
USER nonroot:nonroot
EXPOSE 8080 9090
ENTRYPOINT ["/placementbot"]
CMD ["run"]
