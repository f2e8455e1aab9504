module github.com/example/hypershift-mini

go 1.22
