// NOT OK: an AWS access key id.
const awsAccessKeyId = 'AKIAYI6GIR5MDJBGEJMN';
// OK: AWS's documentation example.
const example = 'AKIAIOSFODNN7EXAMPLE';
module.exports = { awsAccessKeyId, example };
