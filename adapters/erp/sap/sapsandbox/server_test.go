package sapsandbox

var testCreds = Credentials{User: "COMM_USER", Password: "secret-password"}
