# Builds the worker and the starter into one small image; compose picks the
# command.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/ ./worker ./starter

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/worker /out/starter /usr/local/bin/
USER nonroot
ENTRYPOINT ["/usr/local/bin/worker"]
