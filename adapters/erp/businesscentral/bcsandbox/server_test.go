package bcsandbox

var testCreds = Credentials{
	Tenant: "11111111-2222-4333-8444-555555555555", Environment: "Production",
	CompanyID: "5d115c9c-44e3-ea11-bb43-000d3a2feca1", CompanyName: "Check company",
	ClientID: "0a0b0c0d-0000-4000-8000-000000000001", ClientSecret: "right-secret",
}
