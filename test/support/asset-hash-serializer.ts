// Jest loads a serializer module by path; ours is the one we ship to users.
import serializer = require('../../lib/testing/jest-serializer');

module.exports = serializer;
