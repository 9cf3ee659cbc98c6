-- First start of the compose warehouse: the same databases `revops up` creates on the embedded server.
create database revops_core;
create database dagster;
create database odoo;
create database apn;
\connect revops_core
create extension if not exists vector;
